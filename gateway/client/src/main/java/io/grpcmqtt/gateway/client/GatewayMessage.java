package io.grpcmqtt.gateway.client;

import io.grpcmqtt.gateway.v1.Message;
import java.util.Map;

/**
 * A message received from a topic's queue. Acknowledge it with {@link GatewayClient#ack(String,
 * String) ack(topic(), msgId())} once it is processed; until then it is leased to this consumer,
 * and when the lease ends (or the stream that got it closes) it is delivered again.
 *
 * @param msgId the Gateway's id of the message, what {@code ack} takes
 * @param topic the queue it came from
 * @param payload the bytes sent (this record's own copy)
 * @param headers the headers sent (plain MQTT publishes taken in: their user properties)
 * @param deliveryCount 1 on the first delivery, raised by each redelivery
 * @param timestampMs when the Gateway stored it (epoch milliseconds)
 */
public record GatewayMessage(
    String msgId, String topic, byte[] payload, Map<String, String> headers, int deliveryCount, long timestampMs) {

  public GatewayMessage {
    headers = Map.copyOf(headers);
  }

  static GatewayMessage of(Message m) {
    return new GatewayMessage(m.getMsgId(), m.getTopic(), m.getPayload().toByteArray(),
        m.getHeadersMap(), m.getDeliveryCount(), m.getTimestampMs());
  }

  /** The payload as UTF-8 text. */
  public String payloadUtf8() {
    return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "GatewayMessage{" + msgId + " on " + topic + ", " + payload.length + " bytes, delivery " + deliveryCount + "}";
  }
}
