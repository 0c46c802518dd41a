package io.grpcmqtt.gateway.internal;

import io.grpcmqtt.gateway.store.StoredMessage;

/** Publishes stored messages as plain MQTT messages, so plain subscribers see the queue's data. */
public interface Mirror {
  /** Publishes nothing. */
  Mirror NONE = new Mirror() {
    @Override
    public String topicFor(String queueTopic) {
      return null;
    }

    @Override
    public void publish(StoredMessage message) {}
  };

  /** The MQTT topic a message of {@code queueTopic} is published on, or null when not mirrored. */
  String topicFor(String queueTopic);

  /** Publishes {@code message} without blocking; best effort (see docs/gateway.md). */
  void publish(StoredMessage message);
}
