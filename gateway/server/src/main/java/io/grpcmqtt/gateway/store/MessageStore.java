package io.grpcmqtt.gateway.store;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Where the Gateway keeps its queues: one table of messages, each in one topic's queue, leased to
 * one consumer at a time.
 *
 * <p>A message is <em>visible</em> when it may be handed out: it has never been, its lease has
 * expired, or it was released. {@link #claim} hands out visible messages in id order and leases
 * them until a given time; {@link #ack} deletes one. Every method is thread-safe, blocks on I/O,
 * and is atomic: a crash leaves each call's effect entirely done or not at all. Several stores may
 * share one database ({@link #postgres}); claims then never hand the same visible message to two
 * callers.
 *
 * <p>Two implementations: {@link #h2(Path)} (embedded, one process) and {@link #postgres(String)}
 * (a PostgreSQL server, several Gateway instances). {@link #open(String)} picks one by JDBC URL.
 */
public interface MessageStore extends AutoCloseable {

  /**
   * Appends a message to the end of {@code topic}'s queue, visible at once. When this returns the
   * message is durable: it survives a crash of the process.
   *
   * @return the new message's id
   */
  long append(String topic, byte[] payload, Map<String, String> headers, long nowMillis);

  /** What {@link #appendOnce} did: appended message {@code id}, or found it ({@code appended} false). */
  record Appended(long id, boolean appended) {}

  /**
   * {@link #append}, unless a message was appended to {@code topic} with the same {@code
   * idempotencyKey} less than {@code windowMillis} before {@code nowMillis}: then nothing is
   * appended and that message's id is returned, even if it has been acknowledged since. Atomic
   * across every store on the same database: of concurrent calls with one key, one appends and the
   * others get its id. Keys older than the window are forgotten.
   */
  Appended appendOnce(String topic, byte[] payload, Map<String, String> headers, long nowMillis,
      String idempotencyKey, long windowMillis);

  /**
   * {@link #appendOnce(String, byte[], Map, long, String, long)}, and, when it appends and {@code
   * outboxDestination} is not null, an {@link Outbox} entry in the same transaction (a retry that
   * finds its key adds none).
   *
   * @throws UnsupportedOperationException with a destination, from a store without an outbox
   */
  default Appended appendOnce(String topic, byte[] payload, Map<String, String> headers,
      long nowMillis, @Nullable String outboxDestination, String idempotencyKey, long windowMillis) {
    if (outboxDestination != null) {
      throw new UnsupportedOperationException(describe() + " has no outbox");
    }
    return appendOnce(topic, payload, headers, nowMillis, idempotencyKey, windowMillis);
  }

  /**
   * {@link #append(String, byte[], Map, long)}, and, when {@code outboxDestination} is not null,
   * an {@link Outbox} entry for it in the same transaction: both are stored, or neither.
   *
   * @throws UnsupportedOperationException with a destination, from a store without an outbox
   */
  default long append(String topic, byte[] payload, Map<String, String> headers, long nowMillis,
      @Nullable String outboxDestination) {
    if (outboxDestination != null) {
      throw new UnsupportedOperationException(describe() + " has no outbox");
    }
    return append(topic, payload, headers, nowMillis);
  }

  /**
   * The outbox of messages to copy to Kafka (docs/gateway.md, Kafka).
   *
   * @throws UnsupportedOperationException from a store without one
   */
  default Outbox outbox() {
    throw new UnsupportedOperationException(describe() + " has no outbox");
  }

  /**
   * Leases up to {@code maxMessages} visible messages of {@code topic}, oldest id first, to
   * {@code lease} until {@code leaseUntilMillis}, raising each one's delivery count. Stops before a
   * message that would take the total {@link StoredMessage#sizeBytes()} over {@code maxBytes}, but
   * always returns at least one message when one is visible.
   */
  List<StoredMessage> claim(
      String topic, int maxMessages, long maxBytes, long lease, long leaseUntilMillis, long nowMillis);

  /**
   * Deletes a message of {@code topic} that has been handed out at least once (leased or not).
   *
   * @return false if there is no such message: unknown, of another topic, never delivered, or
   *     already acknowledged
   */
  boolean ack(String topic, long id);

  /** Makes the given messages visible now, if they are still leased to {@code lease}. */
  void release(String topic, long lease, Collection<Long> ids, long nowMillis);

  /** Those of {@code ids} that are still leased to {@code lease} (not acknowledged, not expired). */
  Set<Long> stillLeased(String topic, long lease, Collection<Long> ids, long nowMillis);

  /** What other processes sharing a store did; called on a thread of the store's own. */
  interface RemoteEvents {
    /** Messages may have become visible on {@code topic} (an append or a release). */
    void visible(String topic);

    /** Message {@code id} of {@code topic} was acknowledged. */
    void acked(String topic, long id);
  }

  /**
   * Tells {@code listener} what other processes sharing this store do (and, harmlessly, what this
   * one does). Stores no other process can share never call it. Call before messages flow; one
   * listener.
   */
  default void onRemoteEvents(RemoteEvents listener) {}

  /** Messages in {@code topic}'s queue, visible or not: for tests and operators. */
  long count(String topic);

  /**
   * The identity of the data: a random id made when the store's tables were created, the same for
   * every store opened on that database (and schema). Gateways with different ids must not serve
   * one queue.
   */
  String id();

  /**
   * Every non-empty queue whose topic starts with {@code topicPrefix} ({@code ""}: all), as of
   * {@code nowMillis}, in no particular order: for operators (metrics, {@code grpc-mqtt gateway
   * stats}). One scan of the table.
   */
  List<QueueStats> stats(String topicPrefix, long nowMillis);

  /** One line saying what this store is and where, without credentials. */
  String describe();

  @Override
  void close();

  /** The embedded store: an H2 database in {@code dataDir} (created if missing), for one process. */
  static MessageStore h2(Path dataDir) {
    return JdbcMessageStore.openH2(dataDir);
  }

  /**
   * The shared store: a PostgreSQL database ({@code jdbc:postgresql://host:port/db?user=..}) that
   * several Gateway instances may use at once. The table is created if missing.
   */
  static MessageStore postgres(String jdbcUrl) {
    return JdbcMessageStore.open(jdbcUrl, SqlDialect.POSTGRES);
  }

  /** A store for a JDBC URL: {@code jdbc:postgresql:…} or {@code jdbc:h2:…}. */
  static MessageStore open(String jdbcUrl) {
    return JdbcMessageStore.open(jdbcUrl, SqlDialect.forUrl(jdbcUrl));
  }
}
