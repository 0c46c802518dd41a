package io.grpcmqtt.codegen;

/** Java source text with two-space indentation that follows {@link #open} and {@link #close}. */
final class SourceWriter {
  private final StringBuilder out = new StringBuilder();
  private int depth;

  /** A line, then one more level of indentation for the lines that follow. */
  void open(String text) {
    line(text);
    depth++;
  }

  /** One level less, then a line. */
  void close(String text) {
    depth--;
    line(text);
  }

  void line(String text) {
    out.append("  ".repeat(depth)).append(text).append('\n');
  }

  void blank() {
    out.append('\n');
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
