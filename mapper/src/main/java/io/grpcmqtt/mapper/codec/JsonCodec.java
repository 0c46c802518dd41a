package io.grpcmqtt.mapper.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;

/** Converts between protobuf messages and their proto3 JSON form. Thread-safe. */
public final class JsonCodec {
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private JsonCodec() {}

  /**
   * Parses UTF-8 JSON into a message of the prototype's type. Unknown fields are an error, so a
   * misspelt field name is reported instead of silently ignored.
   */
  public static Message parse(byte[] json, Message prototype)
      throws InvalidProtocolBufferException {
    Message.Builder builder = prototype.newBuilderForType();
    PARSER.merge(new String(json, StandardCharsets.UTF_8), builder);
    return builder.build();
  }

  /** Prints a message as compact UTF-8 JSON (lowerCamelCase field names, as proto3 JSON specifies). */
  public static byte[] print(MessageOrBuilder message) throws InvalidProtocolBufferException {
    return PRINTER.print(message).getBytes(StandardCharsets.UTF_8);
  }
}
