package io.grpcmqtt.mapper.template;

/** MQTT topic-name facts and message formatting shared by the template classes. */
final class TopicText {
  /** MQTT 5 §1.5.4: a UTF-8 string, and so a topic name, is at most 65,535 bytes. */
  static final int MAX_TOPIC_BYTES = 65_535;

  /** Long inputs are cut in messages so one bad value cannot flood a log line. */
  private static final int MAX_QUOTED_CHARS = 200;

  private TopicText() {}

  /** UTF-8 byte length of {@code s}; lone surrogates, which callers reject anyway, count 3. */
  static int utf8Length(CharSequence s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      bytes += utf8Bytes(s, i);
    }
    return bytes;
  }

  /**
   * Index of the first char whose UTF-8 encoding ends past {@code limit} bytes, or -1 when the
   * whole string fits.
   */
  static int firstCharBeyond(CharSequence s, int limit) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      bytes += utf8Bytes(s, i);
      if (bytes > limit) {
        return i;
      }
    }
    return -1;
  }

  private static int utf8Bytes(CharSequence s, int i) {
    char c = s.charAt(i);
    if (c < 0x80) {
      return 1;
    }
    if (c < 0x800) {
      return 2;
    }
    // Each half of a valid pair contributes 2 of the pair's 4 bytes.
    return Character.isSurrogate(c) && isPaired(s, i) ? 2 : 3;
  }

  /** True when the surrogate at {@code i} is half of a well-formed pair. */
  static boolean isPaired(CharSequence s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
    return true;
  }

  /** Index of the first unpaired surrogate in {@code s}, or -1; such text has no UTF-8 form. */
  static int firstUnpairedSurrogate(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i)) && !isPaired(s, i)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * {@code s} in double quotes, with quotes, backslashes, control characters and unpaired
   * surrogates escaped, so messages stay on one line and show exactly what was given.
   */
  static String quote(String s) {
    int end = s.length();
    boolean cut = false;
    if (end > MAX_QUOTED_CHARS) {
      end = MAX_QUOTED_CHARS;
      if (Character.isHighSurrogate(s.charAt(end - 1))) {
        end--;
      }
      cut = true;
    }
    StringBuilder out = new StringBuilder(end + 8).append('"');
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f || (Character.isSurrogate(c) && !isPaired(s, i))) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append(cut ? "...\"" : "\"").toString();
  }
}
