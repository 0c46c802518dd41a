package io.grpcmqtt.codegen;

/** Text from proto files made safe inside generated comments. */
final class Javadoc {
  private Javadoc() {}

  /**
   * Text for a {@code {@code ...}} span. javac reads unicode escapes even in comments, so a
   * backslash becomes {@code \u005c} (which javac turns back into a backslash that starts
   * nothing); control characters, which could end a line, become escapes shown as text.
   */
  static String escapeCode(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        out.append("\\u005c");
      } else if (c < 0x20) {
        out.append("\\u005cu").append(String.format("%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
