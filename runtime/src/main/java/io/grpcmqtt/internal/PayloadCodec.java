package io.grpcmqtt.internal;

import com.google.common.io.ByteStreams;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpcmqtt.mapper.codec.JsonCodec;
import io.grpcmqtt.mapper.codec.PayloadFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * Turns request payloads into what gRPC's marshallers read, and responses into payloads, in the
 * call's format. Requests of known protobuf methods are parsed here, so malformed input is an
 * INVALID_ARGUMENT reply rather than an INTERNAL error from deep inside gRPC; the parsed message
 * reaches the handler without being parsed twice (the marshaller recognises its own stream).
 */
final class PayloadCodec {
  private PayloadCodec() {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  static InputStream decodeRequest(
      @Nullable MethodRegistry.Entry entry, PayloadFormat format, byte[] payload)
      throws StatusException {
    Message prototype = entry == null ? null : entry.requestPrototype;
    if (prototype == null) {
      if (format == PayloadFormat.JSON) {
        throw Status.INVALID_ARGUMENT
            .withDescription("this method does not accept JSON: its messages are not protobuf")
            .asException();
      }
      return stream(payload);
    }
    Message message =
        entry.topicFields != null
            ? entry.topicFields.decode(prototype, format, payload)
            : parse(prototype, format, payload);
    MethodDescriptor.Marshaller marshaller = entry.method.getRequestMarshaller();
    return marshaller.stream(message);
  }

  /** Parses a whole request message; malformed input is INVALID_ARGUMENT naming the type. */
  static Message parse(Message prototype, PayloadFormat format, byte[] payload)
      throws StatusException {
    try {
      return format == PayloadFormat.JSON
          ? JsonCodec.parse(payload, prototype)
          : prototype.getParserForType().parseFrom(payload);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "request is not a valid "
                  + (format == PayloadFormat.JSON ? "JSON " : "protobuf ")
                  + prototype.getDescriptorForType().getFullName()
                  + ": " + e.getMessage() + hint(format, payload, e))
          .asException();
    }
  }

  /** What a newcomer most likely did wrong, for the two mistakes everyone makes once; or "". */
  private static String hint(PayloadFormat format, byte[] payload, Exception e) {
    if (format == PayloadFormat.PROTOBUF && looksLikeJson(payload)) {
      return " (the payload looks like JSON: send it with the content type application/json,"
          + " e.g. mosquitto_rr -D publish content-type application/json)";
    }
    if (format == PayloadFormat.JSON && String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("base64")) {
      return " (bytes fields are base64 in proto3 JSON: \"MjEuNQ==\" is the text 21.5)";
    }
    return "";
  }

  /** Starts with '{' and ends with '}' (around whitespace): no protobuf message does both by chance. */
  private static boolean looksLikeJson(byte[] payload) {
    int start = 0;
    int end = payload.length - 1;
    while (start <= end && Character.isWhitespace(payload[start])) {
      start++;
    }
    while (end >= start && Character.isWhitespace(payload[end])) {
      end--;
    }
    return end > start && payload[start] == '{' && payload[end] == '}';
  }

  static byte[] encodeResponse(
      @Nullable MethodRegistry.Entry entry, PayloadFormat format, InputStream message)
      throws StatusException {
    byte[] bytes;
    try {
      bytes = readAll(message);
      message.close();
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("cannot serialize response").withCause(e).asException();
    }
    if (format != PayloadFormat.JSON) {
      return bytes;
    }
    Message prototype = entry == null ? null : entry.responsePrototype;
    if (prototype == null) {
      throw Status.INTERNAL.withDescription("response cannot be written as JSON").asException();
    }
    try {
      return JsonCodec.print(prototype.getParserForType().parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw Status.INTERNAL.withDescription("cannot write response as JSON").withCause(e)
          .asException();
    }
  }

  /**
   * The bytes of a serialized message. gRPC's marshallers hand over streams that know their
   * length ({@link KnownLength}): those are read straight into an array of that size (a protobuf
   * message serializes itself into it), without the growing buffers and final copy of {@link
   * ByteStreams#toByteArray}. A stream whose length was wrong still yields all of its bytes.
   */
  static byte[] readAll(InputStream in) throws IOException {
    if (!(in instanceof KnownLength)) {
      return ByteStreams.toByteArray(in);
    }
    int size = in.available();
    byte[] bytes = new byte[size];
    int n = ByteStreams.read(in, bytes, 0, size);
    if (n < size) {
      return Arrays.copyOf(bytes, n);
    }
    int next = in.read();
    if (next < 0) {
      return bytes;
    }
    ByteArrayOutputStream more = new ByteArrayOutputStream(size * 2 + 16);
    more.write(bytes, 0, n);
    more.write(next);
    ByteStreams.copy(in, more);
    return more.toByteArray();
  }

  /**
   * A received message for gRPC's marshaller. It knows its length, so protobuf's marshaller
   * parses it from one array instead of a stream decoder with a 4 KiB buffer of its own per
   * message.
   */
  static InputStream stream(byte[] message) {
    return new KnownLengthStream(message);
  }

  private static final class KnownLengthStream extends ByteArrayInputStream
      implements KnownLength {
    KnownLengthStream(byte[] message) {
      super(message);
    }
  }
}
