package io.grpcmqtt.cli;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import javax.annotation.Nullable;

/** Request messages, one at a time, from JSON. */
interface RequestSource {
  /** The next request, or null when there are no more. */
  @Nullable
  DynamicMessage next() throws InvalidRequest;

  /** A request that is not valid JSON for the method's request type. */
  final class InvalidRequest extends Exception {
    InvalidRequest(String message) {
      super(message);
    }
  }

  static RequestSource of(List<DynamicMessage> messages) {
    Deque<DynamicMessage> left = new ArrayDeque<>(messages);
    return left::poll;
  }

  /** Parses one JSON value, saying where it came from in errors. */
  static DynamicMessage parse(JsonFormat.Parser parser, Descriptor type, String json, String where)
      throws InvalidRequest {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    try {
      parser.merge(json, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new InvalidRequest(
          where + " is not a valid " + type.getFullName() + " in JSON: " + e.getMessage());
    }
    return builder.build();
  }

  /** One JSON message per non-blank line, read as the call needs them. */
  static RequestSource lines(BufferedReader in, JsonFormat.Parser parser, Descriptor type) {
    return new RequestSource() {
      private int lineNumber;

      @Override
      public DynamicMessage next() throws InvalidRequest {
        String line;
        try {
          do {
            line = in.readLine();
            lineNumber++;
          } while (line != null && line.isBlank());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return line == null ? null : parse(parser, type, line, "stdin line " + lineNumber);
      }
    };
  }
}
