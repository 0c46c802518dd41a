package io.grpcmqtt.gateway.internal;

import javax.annotation.Nullable;

/** Where a stored message is copied through the store's outbox (a Kafka topic), decided as it is sent. */
public interface OutboxRoute {
  /** Copies nothing. */
  OutboxRoute NONE = topic -> null;

  /** The destination of a message of {@code topic}, or null: no outbox entry. */
  @Nullable
  String destination(String topic);

  /** A message with a destination was just committed (wakes the relay). */
  default void appended() {}
}
