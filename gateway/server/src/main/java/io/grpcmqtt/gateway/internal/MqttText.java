package io.grpcmqtt.gateway.internal;

import javax.annotation.Nullable;

/**
 * Text that can travel in an MQTT 5 string (a topic, a user property): well-formed UTF-16 (so it
 * has a UTF-8 form), without the control characters MQTT forbids or discourages (U+0000-U+001F,
 * U+007F-U+009F) and without Unicode noncharacters (U+FDD0-U+FDEF, and U+FFFE and U+FFFF of every
 * plane). Mosquitto and HiveMQ refuse such strings from publishers, and Paho refuses to publish
 * them (dropping its connection), so the Gateway accepts none into a topic or header: whatever it
 * stores, its mirror can publish.
 */
public final class MqttText {
  /** Long inputs are cut in messages, so one bad value cannot flood a log line or a reply. */
  private static final int MAX_QUOTED_CHARS = 120;

  private MqttText() {}

  /** Why {@code s} cannot be an MQTT string, naming the character and its index; null if it can. */
  @Nullable
  public static String problem(String s) {
    for (int i = 0; i < s.length(); ) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(i + 1));
        if (isNoncharacter(cp)) {
          return "contains the Unicode noncharacter " + codePoint(cp) + " at index " + i;
        }
        i += 2;
        continue;
      }
      if (Character.isSurrogate(c)) {
        return "contains an unpaired surrogate " + codePoint(c) + " at index " + i + " (not valid UTF-8)";
      }
      if (isControl(c)) {
        return "contains the control character " + codePoint(c) + " at index " + i;
      }
      if (isNoncharacter(c)) {
        return "contains the Unicode noncharacter " + codePoint(c) + " at index " + i;
      }
      i++;
    }
    return null;
  }

  /**
   * {@code s} in single quotes for a message, with every character {@link #problem} would name,
   * quotes and backslashes escaped, and cut after {@value #MAX_QUOTED_CHARS} characters: the result
   * is always a valid MQTT string on one line.
   */
  public static String quote(String s) {
    int end = Math.min(s.length(), MAX_QUOTED_CHARS);
    StringBuilder out = new StringBuilder(end + 8).append('\'');
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
      if (pair && i + 1 < end && !isNoncharacter(Character.toCodePoint(c, s.charAt(i + 1)))) {
        out.append(c).append(s.charAt(++i));
      } else if (pair) {
        out.append(String.format("\\u%04X\\u%04X", (int) c, (int) s.charAt(++i)));
      } else if (c == '\'' || c == '\\') {
        out.append('\\').append(c);
      } else if (Character.isSurrogate(c) || isControl(c) || isNoncharacter(c)) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    if (s.length() > end) {
      out.append("...(").append(s.length()).append(" chars)");
    }
    return out.append('\'').toString();
  }

  private static boolean isControl(char c) {
    return c <= 0x1F || (c >= 0x7F && c <= 0x9F);
  }

  private static boolean isNoncharacter(int cp) {
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
  }

  private static String codePoint(int cp) {
    return String.format("U+%04X", cp);
  }
}
