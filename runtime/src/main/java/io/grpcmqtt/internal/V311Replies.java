package io.grpcmqtt.internal;

import io.grpc.Status;
import io.grpcmqtt.mapper.mqtt311.Mqtt311Topics;
import java.nio.charset.StandardCharsets;

/**
 * The reply of a call made over the MQTT 3.1.1 binding (docs/protocol.md §14): one PUBLISH to
 * {@code {prefix}/_311/res/{replyRef}/{requestId}/{status}}, whose payload is the response when
 * the status is 0 and the status description as UTF-8 text otherwise. A 3.1.1 client cannot read
 * chunk headers, so a reply never travels in chunks: one too large for the broker becomes a
 * RESOURCE_EXHAUSTED reply (MqttServerStream's TooLargeGuard).
 */
final class V311Replies implements ReplyEncoding {
  private final Mqtt311Topics topics;
  private final String replyRef;
  private final String requestId;

  V311Replies(Mqtt311Topics topics, String replyRef, String requestId) {
    this.topics = topics;
    this.replyRef = replyRef;
    this.requestId = requestId;
  }

  /** Below the caller topic ({@code {prefix}/_311/res/{replyRef}}) the stream holds. */
  @Override
  public String topic(String callerTopic, Status status) {
    return topics.replyTopic(replyRef, requestId, status.getCode().value());
  }

  @Override
  public byte[] payload(byte[] response, Status status) {
    if (status.isOk()) {
      return response;
    }
    String text = status.getDescription();
    return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public boolean chunked() {
    return false;
  }
}
