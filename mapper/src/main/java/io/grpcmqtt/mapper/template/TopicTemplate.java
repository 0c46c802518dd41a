package io.grpcmqtt.mapper.template;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A parsed MQTT topic template such as {@code devices/{device.id}/commands/{name=**}}.
 *
 * <p>The syntax is described in the {@linkplain io.grpcmqtt.mapper.template package
 * documentation}. Instances are immutable and thread-safe; two templates are equal when their
 * canonical forms ({@link #toString()}) are equal.
 */
public final class TopicTemplate {
  private final List<Segment> segments;
  private final List<String> variables;
  private final String canonical;

  private TopicTemplate(List<Segment> segments) {
    this.segments = segments;
    this.variables =
        segments.stream()
            .filter(Segment.Variable.class::isInstance)
            .map(s -> ((Segment.Variable) s).fieldPath())
            .collect(Collectors.toUnmodifiableList());
    this.canonical = segments.stream().map(Segment::canonical).collect(Collectors.joining("/"));
  }

  /**
   * Parses {@code template}.
   *
   * @throws TemplateException naming the 0-based char position of the first problem
   */
  public static TopicTemplate parse(String template) {
    Objects.requireNonNull(template, "template");
    return new TopicTemplate(TemplateParser.parse(template));
  }

  /** The topic levels of this template, in order. */
  public List<Segment> segments() {
    return segments;
  }

  /** The bound field paths, in template order. */
  public List<String> variables() {
    return variables;
  }

  /**
   * The MQTT subscription filter receiving every topic this template matches: {@code +} for
   * {@code *} and single-level variables, {@code #} for a {@code **} variable.
   *
   * <p>The filter is broader than the template: {@code +} also matches an empty level and
   * {@code #} also matches the parent level, so received topics must still go through {@link
   * #match}.
   */
  public String subscriptionFilter() {
    return segments.stream().map(Segment::filter).collect(Collectors.joining("/"));
  }

  /**
   * Checks that no literal start of this template falls under a reserved prefix such as {@code
   * grpc/_}.
   *
   * <p>Only the literal levels before the first {@code *} or variable are compared; a variable
   * value can still produce a reserved topic, which whoever publishes must check.
   *
   * @throws TemplateException when this template starts with one of {@code reservedPrefixes}
   */
  public void validate(Set<String> reservedPrefixes) {
    Objects.requireNonNull(reservedPrefixes, "reservedPrefixes");
    String start = literalStart();
    for (String prefix : reservedPrefixes) {
      if (start.startsWith(prefix)) {
        throw new TemplateException(
            "invalid topic template " + TopicText.quote(canonical) + ": topic prefix '" + prefix
                + "' is reserved for grpc-mqtt control topics");
      }
    }
  }

  /** Leading literal levels, with a trailing '/' when more levels follow. */
  private String literalStart() {
    StringBuilder start = new StringBuilder();
    for (Segment segment : segments) {
      if (!(segment instanceof Segment.Literal literal)) {
        break;
      }
      if (start.length() > 0) {
        start.append('/');
      }
      start.append(literal.text());
    }
    boolean more = start.length() > 0 && start.length() < canonical.length();
    return more ? start.append('/').toString() : start.toString();
  }

  /**
   * Builds the topic for the given field values.
   *
   * @param fieldValue value for each of {@link #variables()}; null counts as empty
   * @throws TemplateException if the template has an unbound {@code *}, a value is empty, would
   *     change the topic's level structure, contains an MQTT wildcard or NUL, would start the topic
   *     with {@code $}, or the topic is longer than 65,535 UTF-8 bytes
   */
  public String expand(Function<String, String> fieldValue) {
    Objects.requireNonNull(fieldValue, "fieldValue");
    List<String> levels = new ArrayList<>(segments.size());
    for (Segment segment : segments) {
      if (segment instanceof Segment.Literal literal) {
        levels.add(literal.text());
      } else if (segment instanceof Segment.Variable variable) {
        String value = fieldValue.apply(variable.fieldPath());
        String problem = FieldValueRules.problem(variable, value, levels.isEmpty());
        if (problem != null) {
          throw expandError(problem);
        }
        levels.add(value);
      } else {
        throw expandError("'*' is not bound to a field, so the template cannot produce a topic");
      }
    }
    String topic = String.join("/", levels);
    if (TopicText.utf8Length(topic) > TopicText.MAX_TOPIC_BYTES) {
      throw expandError("expanded topic is longer than 65535 UTF-8 bytes (the MQTT topic limit)");
    }
    return topic;
  }

  /** Error for a failed {@link #expand}, also used by {@link TemplateBinding}. */
  TemplateException expandError(String problem) {
    return new TemplateException(
        "cannot expand topic template " + TopicText.quote(canonical) + ": " + problem);
  }

  /**
   * Matches a received topic name.
   *
   * <p>{@code *} and variables need non-empty levels, {@code **} needs at least one, and none
   * matches a level containing {@code +}, {@code #} or NUL (those are not topic names) or, at the
   * first level, starting with {@code $} (as MQTT wildcards do not match such topics).
   *
   * @return each field path mapped to its raw text, in template order; empty when the topic does
   *     not match
   */
  public Optional<Map<String, String>> match(String topic) {
    Objects.requireNonNull(topic, "topic");
    Map<String, String> values = new LinkedHashMap<>();
    return walk(topic, values) == null
        ? Optional.of(Collections.unmodifiableMap(values))
        : Optional.empty();
  }

  /**
   * Why {@link #match} does not match {@code topic}, or empty when it does: for the error reply to
   * a request on a topic this template's {@link #subscriptionFilter} received but that no method
   * can take (such as an empty level under a {@code **} variable).
   */
  public Optional<String> mismatch(String topic) {
    Objects.requireNonNull(topic, "topic");
    return Optional.ofNullable(walk(topic, new LinkedHashMap<>()));
  }

  /** Matches {@code topic}, putting variable values into {@code values}; the reason it does not, or null. */
  private String walk(String topic, Map<String, String> values) {
    String[] levels = topic.split("/", -1);
    boolean open = endsWithMultiLevel();
    if (open ? levels.length < segments.size() : levels.length != segments.size()) {
      return "it has " + levels.length + (levels.length == 1 ? " level" : " levels") + "; the template needs "
          + (open ? "at least " : "") + segments.size();
    }
    for (int i = 0; i < segments.size(); i++) {
      Segment segment = segments.get(i);
      if (segment instanceof Segment.Literal literal) {
        if (!literal.text().equals(levels[i])) {
          return "level " + (i + 1) + " is not " + TopicText.quote(literal.text());
        }
        continue;
      }
      int end = open && i == segments.size() - 1 ? levels.length : i + 1;
      for (int j = i; j < end; j++) {
        if (levels[j].isEmpty()) {
          return "level " + (j + 1) + " is empty";
        }
        if (!FieldValueRules.acceptsLevel(levels[j], j == 0)) {
          return "level " + (j + 1) + " " + TopicText.quote(levels[j])
              + " holds '+', '#' or NUL, or starts the topic with '$'";
        }
      }
      if (segment instanceof Segment.Variable variable) {
        values.put(
            variable.fieldPath(), String.join("/", Arrays.asList(levels).subList(i, end)));
      }
    }
    return null;
  }

  private boolean endsWithMultiLevel() {
    return segments.get(segments.size() - 1) instanceof Segment.Variable last && last.multiLevel();
  }

  /** The canonical template text: single-level variables are written {@code {path}}. */
  @Override
  public String toString() {
    return canonical;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicTemplate other && canonical.equals(other.canonical);
  }

  @Override
  public int hashCode() {
    return canonical.hashCode();
  }
}
