package io.grpcmqtt.mapper.template;

import java.util.List;
import java.util.Objects;

/**
 * One {@code /}-separated level of a {@link TopicTemplate}.
 *
 * <p>Instances come from {@link TopicTemplate#parse(String)}, which has already checked them, so
 * the records below only guard against nulls.
 */
public sealed interface Segment permits Segment.Literal, Segment.Wildcard, Segment.Variable {

  /** This segment as it appears in the canonical template text. */
  String canonical();

  /** This segment as it appears in an MQTT subscription filter. */
  String filter();

  /** A fixed topic level that must match exactly. */
  record Literal(String text) implements Segment {
    public Literal {
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String canonical() {
      return text;
    }

    @Override
    public String filter() {
      return text;
    }
  }

  /** {@code *}: any single non-empty topic level, not bound to a field. */
  record Wildcard() implements Segment {
    @Override
    public String canonical() {
      return "*";
    }

    @Override
    public String filter() {
      return "+";
    }
  }

  /**
   * {@code {field.path}} (one level) or {@code {field.path=**}} (one or more levels, last segment
   * only), bound to a field of the request message.
   */
  record Variable(String fieldPath, boolean multiLevel) implements Segment {
    public Variable {
      Objects.requireNonNull(fieldPath, "fieldPath");
    }

    /** The field names along {@link #fieldPath()}, outermost first. */
    public List<String> fieldNames() {
      return List.of(fieldPath.split("\\.", -1));
    }

    @Override
    public String canonical() {
      // {a} and {a=*} mean the same thing; the short form is canonical.
      return multiLevel ? "{" + fieldPath + "=**}" : "{" + fieldPath + "}";
    }

    @Override
    public String filter() {
      return multiLevel ? "#" : "+";
    }
  }
}
