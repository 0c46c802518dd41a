package io.grpcmqtt.gateway.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Messages waiting to be copied to another system (Kafka), kept in the store beside the queues:
 * {@link MessageStore#append(String, byte[], Map, long, String)} writes a message and its outbox
 * entry in one transaction, so an acknowledged Send is never stored without it. A relay reads the
 * oldest entries ({@link #next}), copies them, and removes each once the other system has
 * acknowledged it ({@link #remove}); one that can never be copied is {@linkplain #park parked}.
 * Entries are independent of the queue: acknowledging the message does not remove its entry.
 */
public interface Outbox {

  /**
   * One message to copy.
   *
   * @param id the entry's id, increasing in the order the entries were written
   * @param messageId the message's id in its queue (its {@code msg_id})
   * @param destination where it goes (a Kafka topic), decided when it was sent
   */
  record Entry(long id, long messageId, String topic, String destination, byte[] payload,
      Map<String, String> headers, long createdMillis) {
    /** Payload and header bytes. */
    public long sizeBytes() {
      long size = payload.length;
      for (Map.Entry<String, String> h : headers.entrySet()) {
        size += h.getKey().length() + h.getValue().length();
      }
      return size;
    }
  }

  /**
   * What waits, as of one moment.
   *
   * @param pending entries not yet copied (parked ones excluded)
   * @param oldestCreatedMillis when the oldest pending message was sent, or 0 when none is
   * @param parked entries that could not be copied and wait for an operator
   */
  record Backlog(long pending, long oldestCreatedMillis, long parked) {}

  /**
   * Up to {@code max} pending entries, oldest first; stops before an entry that would take the
   * total size over {@code maxBytes}, but returns at least one when one is pending.
   */
  List<Entry> next(int max, long maxBytes);

  /** Deletes entries that were copied. */
  void remove(Collection<Long> ids);

  /** Keeps an entry that can never be copied out of {@link #next}, with the reason. */
  void park(long id, String reason);

  /** The backlog now (for logs and metrics). */
  Backlog backlog(long nowMillis);

  /**
   * Tries to become the only relay among the processes sharing this store, so each entry is
   * copied by one of them. Returns null while another process holds it.
   */
  @Nullable
  Leadership lead();

  /** The right to relay, held until closed or lost (e.g. the database connection that holds it died). */
  interface Leadership extends AutoCloseable {
    /** Whether it is still held; checked before every batch. */
    boolean held();

    @Override
    void close();
  }
}
