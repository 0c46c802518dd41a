package io.grpcmqtt.gateway.store;

import java.util.Map;
import java.util.Objects;

/**
 * One message as the store holds it.
 *
 * @param id the store's id: unique, and increasing in the order messages were appended (which is
 *     the queue's FIFO order); the Gateway shows it as the decimal {@code msg_id}
 * @param topic the queue
 * @param payload the bytes sent
 * @param headers the headers sent, never null
 * @param createdMillis when it was appended (epoch milliseconds)
 * @param deliveryCount how often it has been handed out, this delivery included
 */
public record StoredMessage(
    long id, String topic, byte[] payload, Map<String, String> headers, long createdMillis,
    int deliveryCount) {

  public StoredMessage {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    headers = Map.copyOf(headers);
  }

  /** Payload and header bytes: what a delivery of this message costs in a response. */
  public long sizeBytes() {
    long size = payload.length;
    for (Map.Entry<String, String> h : headers.entrySet()) {
      size += h.getKey().length() + h.getValue().length();
    }
    return size;
  }
}
