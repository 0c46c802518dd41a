package io.grpcmqtt.mapper.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether two templates can match the same topic, which would make routing between
 * them ambiguous (for example two RPC methods listening on colliding topics).
 *
 * <p>Templates are compared level by level: two literals must be equal, {@code *} or a
 * single-level variable matches any level, and a trailing {@code **} matches one or more of the
 * other template's remaining levels.
 */
public final class TemplateOverlap {
  /** What stands in for a level neither template fixes; any non-empty level would do. */
  private static final String ANY_LEVEL = "x";

  private TemplateOverlap() {}

  /** True when some topic matches both {@code a} and {@code b}. */
  public static boolean overlaps(TopicTemplate a, TopicTemplate b) {
    return exampleTopic(a, b).isPresent();
  }

  /**
   * A topic matched by both templates, for error messages, or empty when they do not overlap.
   */
  public static Optional<String> exampleTopic(TopicTemplate a, TopicTemplate b) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    List<Segment> left = a.segments();
    List<Segment> right = b.segments();
    List<String> levels = new ArrayList<>();
    int i = 0;
    while (i < left.size() && i < right.size()) {
      Segment x = left.get(i);
      Segment y = right.get(i);
      // '**' is only ever last, so the other side's remaining levels are the rest of the topic.
      if (isMultiLevel(x)) {
        return Optional.of(join(levels, right.subList(i, right.size())));
      }
      if (isMultiLevel(y)) {
        return Optional.of(join(levels, left.subList(i, left.size())));
      }
      if (x instanceof Segment.Literal lx && y instanceof Segment.Literal ly) {
        if (!lx.text().equals(ly.text())) {
          return Optional.empty();
        }
      }
      levels.add(levelFor(x instanceof Segment.Literal ? x : y));
      i++;
    }
    // Both ran out together; a leftover '**' cannot match zero levels, and anything else needs
    // levels the other side does not have.
    return left.size() == right.size() ? Optional.of(String.join("/", levels)) : Optional.empty();
  }

  private static boolean isMultiLevel(Segment s) {
    return s instanceof Segment.Variable v && v.multiLevel();
  }

  private static String join(List<String> levels, List<Segment> rest) {
    List<String> all = new ArrayList<>(levels);
    rest.forEach(s -> all.add(levelFor(s)));
    return String.join("/", all);
  }

  private static String levelFor(Segment s) {
    return s instanceof Segment.Literal literal ? literal.text() : ANY_LEVEL;
  }
}
