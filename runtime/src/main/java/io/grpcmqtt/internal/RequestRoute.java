package io.grpcmqtt.internal;

import io.grpcmqtt.mapper.codec.PayloadFormat;
import io.grpcmqtt.mapper.table.MappedMethod;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * Where one received request goes: the gRPC method, and, when it arrived on the method's topic
 * template, how its topic and payload fill the request message.
 */
final class RequestRoute {
  final String fullMethodName;
  /** The method whose template matched the topic; null on a default topic. */
  @Nullable private final MappedMethod templated;
  private final String topic;

  RequestRoute(String fullMethodName, @Nullable MappedMethod templated, String topic) {
    this.fullMethodName = fullMethodName;
    this.templated = templated;
    this.topic = topic;
  }

  /**
   * The payload format: from the Content Type, except that a raw body (a body-field method's
   * payload without a message Content Type) is read as is and answered in protobuf.
   */
  Optional<PayloadFormat> format(@Nullable String contentType) {
    if (templated != null && templated.payloadIsBody(contentType)) {
      return Optional.of(PayloadFormat.PROTOBUF);
    }
    return PayloadFormat.fromContentType(contentType);
  }

  /**
   * The registry entry to decode this request's messages with: {@code entry} itself on a default
   * topic, or a copy that also fills the topic's fields and the body.
   */
  @Nullable
  MethodRegistry.Entry entry(@Nullable MethodRegistry.Entry entry, @Nullable String contentType) {
    if (entry == null || templated == null) {
      return entry;
    }
    boolean rawBody = templated.payloadIsBody(contentType);
    if (!rawBody && templated.requestTemplate().variables().isEmpty()) {
      return entry;
    }
    return entry.withTopicFields(new TopicFields(templated, topic, rawBody));
  }
}
