package io.grpcmqtt.internal;

import javax.annotation.Nullable;

/**
 * The characters Paho refuses in MQTT strings: control characters (U+0000-U+001F,
 * U+007F-U+009F), the noncharacters U+FDD0-U+FDDF, U+FFFE and U+FFFF (also in other planes), and
 * unpaired surrogates. Paho throws while encoding, on its sender thread, which
 * drops the connection; and a publish queued again after the reconnect drops it again. So text
 * that reaches a PUBLISH from elsewhere (error messages, metadata) is cleaned first, and every
 * publish is checked once before Paho sees it ({@code MqttMessage.Builder.build()}).
 */
public final class MqttStrings {
  private MqttStrings() {}

  static boolean isAllowed(char c) {
    return !(c <= 0x1F || (c >= 0x7F && c <= 0x9F) || (c >= 0xFDD0 && c <= 0xFDDF) || c >= 0xFFFE);
  }

  /** A supplementary code point ending in FFFE or FFFF, which Paho refuses too. */
  private static boolean isPairAllowed(char high, char low) {
    return (Character.toCodePoint(high, low) & 0xFFFE) != 0xFFFE;
  }

  /** The text with each refused character replaced by a space; the same instance when clean. */
  static String sanitize(String text) {
    if (isClean(text)) {
      return text;
    }
    StringBuilder clean = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        char low = text.charAt(++i);
        if (isPairAllowed(c, low)) {
          clean.append(c).append(low);
        } else {
          clean.append(' ');
        }
      } else if (Character.isSurrogate(c) || !isAllowed(c)) {
        clean.append(' ');
      } else {
        clean.append(c);
      }
    }
    return clean.toString();
  }

  public static boolean isClean(@Nullable String text) {
    if (text == null) {
      return true;
    }
    int n = text.length();
    int i = 0;
    // Fast path: printable ASCII, which is almost every topic, property name and value.
    while (i < n) {
      char c = text.charAt(i);
      if (c < 0x20 || c >= 0x7F) {
        break;
      }
      i++;
    }
    for (; i < n; i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))
            && isPairAllowed(c, text.charAt(i + 1))) {
          i++;
          continue;
        }
        return false;
      }
      if (Character.isLowSurrogate(c) || !isAllowed(c)) {
        return false;
      }
    }
    return true;
  }
}
