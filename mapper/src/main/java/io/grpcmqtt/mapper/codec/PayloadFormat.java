package io.grpcmqtt.mapper.codec;

import java.util.Locale;
import java.util.Optional;

/**
 * How a message is written in an MQTT payload, chosen by the PUBLISH's Content Type property.
 *
 * <p>No Content Type (or one of the protobuf media types) means protobuf binary; {@code
 * application/json} means the proto3 JSON mapping. Replies use the format of the request.
 */
public enum PayloadFormat {
  /** Protobuf binary encoding: the payload is the serialized message. */
  PROTOBUF(null),
  /** The proto3 JSON mapping, UTF-8. */
  JSON("application/json");

  private final String contentType;

  PayloadFormat(String contentType) {
    this.contentType = contentType;
  }

  /** The Content Type to put on replies, or {@code null} when none is needed. */
  public String contentType() {
    return contentType;
  }

  /**
   * The format named by a Content Type property value.
   *
   * @return empty when the content type is not one grpc-mqtt understands
   */
  public static Optional<PayloadFormat> fromContentType(String contentType) {
    if (contentType == null || contentType.isEmpty()) {
      return Optional.of(PROTOBUF);
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    int semicolon = type.indexOf(';');
    if (semicolon >= 0) {
      type = type.substring(0, semicolon);
    }
    switch (type.trim()) {
      case "application/json":
        return Optional.of(JSON);
      case "application/protobuf":
      case "application/x-protobuf":
      case "application/grpc+proto":
      case "application/octet-stream":
        return Optional.of(PROTOBUF);
      default:
        return Optional.empty();
    }
  }
}
