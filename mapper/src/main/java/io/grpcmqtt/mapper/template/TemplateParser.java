package io.grpcmqtt.mapper.template;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser for the grammar in {@code package-info.java}.
 *
 * <p>It stops at the first problem and reports the 0-based char index where it was found, so
 * every message points at one spot users can fix.
 */
final class TemplateParser {
  private final String template;
  private int pos;

  private TemplateParser(String template) {
    this.template = template;
  }

  static List<Segment> parse(String template) {
    return new TemplateParser(template).template();
  }

  private List<Segment> template() {
    int tooLong = TopicText.firstCharBeyond(template, TopicText.MAX_TOPIC_BYTES);
    if (tooLong >= 0) {
      throw error("template is longer than 65535 UTF-8 bytes (the MQTT topic limit)", tooLong);
    }
    List<Segment> segments = new ArrayList<>();
    Set<String> boundPaths = new HashSet<>();
    int multiLevelAt = -1;
    while (true) {
      if (multiLevelAt >= 0) {
        throw error("multi-level variable must be the last topic level", multiLevelAt);
      }
      int start = pos;
      Segment segment = segment();
      if (segment instanceof Segment.Literal literal && start == 0 && literal.text().startsWith("$")) {
        throw error("topic must not start with '$' (reserved for broker topics such as $SYS)", 0);
      }
      if (segment instanceof Segment.Variable variable) {
        if (!boundPaths.add(variable.fieldPath())) {
          throw error("field path '" + variable.fieldPath() + "' is bound more than once", start);
        }
        if (variable.multiLevel()) {
          multiLevelAt = start;
        }
      }
      segments.add(segment);
      if (atEnd()) {
        return List.copyOf(segments);
      }
      pos++; // every segment rule stops only at the end or at a '/'
    }
  }

  private Segment segment() {
    if (atEnd() || peek() == '/') {
      throw error("empty topic level", pos);
    }
    switch (peek()) {
      case '{':
        return variable();
      case '*':
        return wildcard();
      default:
        return literal();
    }
  }

  private Segment literal() {
    int start = pos;
    while (!atEnd() && peek() != '/') {
      char c = peek();
      switch (c) {
        case '{':
          throw error("variable must be a whole topic level", pos);
        case '}':
          throw error("unexpected '}'", pos);
        case '*':
          throw error("'*' must be a whole topic level", pos);
        case '+':
        case '#':
          throw error("MQTT wildcard '" + c + "' is not allowed", pos);
        case '\0':
          throw error("NUL character is not allowed", pos);
        default:
          if (Character.isSurrogate(c) && !TopicText.isPaired(template, pos)) {
            throw error("unpaired surrogate character", pos);
          }
          pos++;
      }
    }
    return new Segment.Literal(template.substring(start, pos));
  }

  private Segment wildcard() {
    int star = pos++;
    if (atEnd() || peek() == '/') {
      return new Segment.Wildcard();
    }
    if (peek() == '*') {
      throw error("'**' must be bound to a field, as in {path=**},", star);
    }
    throw error("'*' must be a whole topic level", star);
  }

  private Segment variable() {
    int open = pos++;
    StringBuilder path = new StringBuilder();
    while (true) {
      identifier(open, path);
      expectMore(open);
      if (peek() != '.') {
        break;
      }
      path.append('.');
      pos++;
    }
    boolean multiLevel = false;
    if (peek() == '=') {
      pos++;
      expectMore(open);
      if (peek() != '*') {
        throw error("expected '*' or '**' after '='", pos);
      }
      pos++;
      expectMore(open);
      if (peek() == '*') {
        multiLevel = true;
        pos++;
        expectMore(open);
      }
      if (peek() != '}') {
        throw error("expected '}'", pos);
      }
    } else if (peek() != '}') {
      throw error("expected '.', '=' or '}'", pos);
    }
    pos++;
    if (!atEnd() && peek() != '/') {
      throw error("variable must be a whole topic level", pos);
    }
    return new Segment.Variable(path.toString(), multiLevel);
  }

  /** Protobuf field names: {@code [A-Za-z_][A-Za-z0-9_]*}. */
  private void identifier(int open, StringBuilder path) {
    expectMore(open);
    if (!isIdentifierStart(peek())) {
      throw error("expected a field name", pos);
    }
    while (!atEnd() && isIdentifierPart(peek())) {
      path.append(template.charAt(pos++));
    }
  }

  private void expectMore(int open) {
    if (atEnd()) {
      throw error("unterminated variable", open);
    }
  }

  private static boolean isIdentifierStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isIdentifierPart(char c) {
    return isIdentifierStart(c) || (c >= '0' && c <= '9');
  }

  private boolean atEnd() {
    return pos >= template.length();
  }

  private char peek() {
    return template.charAt(pos);
  }

  private TemplateException error(String problem, int position) {
    return new TemplateException(
        "invalid topic template " + TopicText.quote(template) + ": " + problem + " at position " + position);
  }
}
