package io.grpcmqtt.gateway.kafka.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import javax.annotation.Nullable;

/** Kafka keys and header values are bytes; the Gateway's topics and headers are text. */
public final class Utf8 {
  private Utf8() {}

  /** {@code bytes} as text, or null when they are not valid UTF-8 (nothing is replaced or dropped). */
  @Nullable
  public static String decode(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
