package io.grpcmqtt.internal;

import io.grpcmqtt.mapper.codec.PayloadFormat;
import io.grpcmqtt.mapper.table.MappedMethod;
import java.util.Optional;
import javax.annotation.Nullable;

/**
 * Where the requests on one kind of topic go: the gRPC method, its registry entry (found once,
 * when the routes were made), and, for the method's topic template, how a topic and payload fill
 * the request message. Immutable: one per hosted method's default topic and one per template,
 * shared by every request that arrives there.
 */
final class RequestRoute {
  final String fullMethodName;
  /** The method whose template matched the topic; null on a default topic. */
  @Nullable private final MappedMethod templated;
  /** Null for a method no registered service has (gRPC answers it, or its fallback registry). */
  @Nullable private final MethodRegistry.Entry entry;

  RequestRoute(
      String fullMethodName, @Nullable MappedMethod templated,
      @Nullable MethodRegistry.Entry entry) {
    this.fullMethodName = fullMethodName;
    this.templated = templated;
    this.entry = entry;
  }

  /**
   * The payload format: from the Content Type, except that a raw body (a body-field method's
   * payload without a message Content Type) is read as is and answered in protobuf.
   */
  Optional<PayloadFormat> format(@Nullable String contentType) {
    if (templated != null && templated.payloadIsBody(contentType)) {
      return Optional.of(PayloadFormat.PROTOBUF);
    }
    if (contentType == null) {
      return PROTOBUF; // most requests: made once, not per request
    }
    return PayloadFormat.fromContentType(contentType);
  }

  private static final Optional<PayloadFormat> PROTOBUF = Optional.of(PayloadFormat.PROTOBUF);

  /** Whether this is the route of the method's topic template (else of its default topic). */
  boolean onTemplate() {
    return templated != null;
  }

  /** The method's registry entry, or null when the server's registry does not know it. */
  @Nullable
  MethodRegistry.Entry entry() {
    return entry;
  }

  /**
   * The registry entry to decode a request on {@code topic} with: the method's own on a default
   * topic, or a copy that also fills the topic's fields and the body.
   */
  @Nullable
  MethodRegistry.Entry entry(String topic, @Nullable String contentType) {
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
