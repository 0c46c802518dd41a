package io.grpcmqtt.gateway.kafka.internal;

import io.grpcmqtt.gateway.internal.MqttBridge;

/** The headers the Gateway adds to the records it produces. */
final class KafkaHeaders {
  /** The message's {@code msg_id}; also marks a record as the Gateway's own, which ingest skips. */
  static final String MSG_ID = MqttBridge.MSG_ID_PROPERTY;
  /** When the message was stored (epoch ms, decimal), whatever the topic's timestamp type. */
  static final String TIMESTAMP = "robustmq-timestamp-ms";

  private KafkaHeaders() {}
}
