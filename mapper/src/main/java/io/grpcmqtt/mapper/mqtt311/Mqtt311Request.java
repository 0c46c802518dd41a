package io.grpcmqtt.mapper.mqtt311;

import javax.annotation.Nullable;

/**
 * What {@link Mqtt311Topics#parse} read from a 3.1.1 request topic. Three outcomes: no reply
 * address ({@link #replyRef()} null: the request can only be logged), a reply address and a
 * {@link #problem()} (answered with INVALID_ARGUMENT), or a whole request ({@link #problem()}
 * null).
 *
 * @param replyRef the caller's reply reference; null when it could not be read
 * @param requestId the request id; null when it could not be read
 * @param format {@link Mqtt311Topics#JSON}, {@link Mqtt311Topics#PROTOBUF}, or null when the
 *     options name none (the payload is then read as that of an MQTT 5 request without Content
 *     Type)
 * @param timeout the timeout item as written (grpc-timeout syntax, not yet checked), or null
 * @param requestTopic the method's MQTT 5 request topic; null when the request is refused
 * @param problem why the request is refused, or null
 */
public record Mqtt311Request(
    @Nullable String replyRef,
    @Nullable String requestId,
    @Nullable String format,
    @Nullable String timeout,
    @Nullable String requestTopic,
    @Nullable String problem) {

  static Mqtt311Request unaddressed(String problem) {
    return new Mqtt311Request(null, null, null, null, null, problem);
  }

  static Mqtt311Request refused(String replyRef, String requestId, String problem) {
    return new Mqtt311Request(replyRef, requestId, null, null, null, problem);
  }

  static Mqtt311Request addressed(
      String replyRef, String requestId, @Nullable String format, @Nullable String timeout,
      String requestTopic) {
    return new Mqtt311Request(replyRef, requestId, format, timeout, requestTopic, null);
  }

  /** Whether a reply can be addressed to the caller. */
  public boolean hasReplyAddress() {
    return replyRef != null;
  }

  /**
   * The MQTT 5 Content Type equivalent to the format item: the binding reads the payload exactly
   * as an MQTT 5 request with this Content Type (null: none, so a raw body on a template with a
   * body field, else protobuf).
   */
  @Nullable
  public String contentType() {
    if (format == null) {
      return null;
    }
    return format.equals(Mqtt311Topics.JSON) ? "application/json" : "application/protobuf";
  }
}
