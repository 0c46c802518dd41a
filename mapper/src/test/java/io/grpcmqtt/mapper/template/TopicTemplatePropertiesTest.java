package io.grpcmqtt.mapper.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

class TopicTemplatePropertiesTest {
  /** Pieces of level text: plain, a 2-byte char, a surrogate pair, and template syntax chars. */
  private static final String[] VALUE_UNITS =
      {"a", "Z", "0", "_", "-", " ", ".", "$", "ü", "😀", "*", "{", "}", "="};

  private static final String[] LITERAL_UNITS = {"a", "b", "0", "-", " ", ".", "$", "ü", "😀", "="};

  /** Everything the parser treats specially, plus text it must reject. */
  private static final String[] SYNTAX_UNITS =
      {"{", "}", "/", "*", "**", "=", ".", "+", "#", "$", "a", "_", "1", " ", "\0", "\uD800",
          "\uDC00", "😀", "{a}", "{a=**}", "{b.c=*}"};

  @Property
  void matchInvertsExpand(@ForAll("expansions") Expansion expansion) {
    String topic = expansion.template().expand(expansion.values()::get);

    Optional<Map<String, String>> matched = expansion.template().match(topic);

    assertEquals(Optional.of(expansion.values()), matched);
    assertEquals(expansion.template().variables(), List.copyOf(matched.get().keySet()));
  }

  @Property
  void parseFailsOnlyWithTemplateExceptionAndCanonicalFormRoundTrips(
      @ForAll("templateLikeStrings") String text) {
    TopicTemplate template;
    try {
      template = TopicTemplate.parse(text);
    } catch (TemplateException e) {
      Statistics.collect("rejected");
      assertTrue(e.getMessage().startsWith("invalid topic template \""), e.getMessage());
      assertTrue(e.getMessage().matches("(?s).* at position \\d+"), e.getMessage());
      return;
    }
    Statistics.collect("parsed");
    assertEquals(template, TopicTemplate.parse(template.toString()));
    assertEquals(template.toString(), TopicTemplate.parse(template.toString()).toString());
  }

  @Property
  void everyMatchedTopicIsDeliveredByTheSubscriptionFilter(@ForAll("candidateTopics") Candidate c) {
    boolean matched = c.template().match(c.topic()).isPresent();

    Statistics.collect(matched ? "matched" : "not matched");
    Statistics.coverage(coverage -> coverage.check("matched").percentage(p -> p > 10));
    if (matched) {
      assertTrue(MqttFilter.matches(c.template().subscriptionFilter(), c.topic()),
          c.template().subscriptionFilter() + " should deliver " + c.topic());
    }
  }

  @Property
  void overlapExamplesMatchBothTemplates(
      @ForAll("smallTemplates") TopicTemplate a, @ForAll("smallTemplates") TopicTemplate b) {
    Optional<String> example = TemplateOverlap.exampleTopic(a, b);

    Statistics.collect(example.isPresent() ? "overlap" : "disjoint");
    example.ifPresent(topic -> {
      assertTrue(a.match(topic).isPresent(), a + " should match " + topic);
      assertTrue(b.match(topic).isPresent(), b + " should match " + topic);
    });
    assertEquals(example.isPresent(), TemplateOverlap.overlaps(b, a));
  }

  @Property
  void overlapIsFoundWheneverSomeTopicMatchesBoth(
      @ForAll("smallCandidates") Candidate a, @ForAll("smallTemplates") TopicTemplate b) {
    boolean both = a.template().match(a.topic()).isPresent() && b.match(a.topic()).isPresent();

    Statistics.collect(both ? "both match" : "not both");
    Statistics.coverage(coverage -> coverage.check("both match").percentage(p -> p > 5));
    if (both) {
      assertTrue(TemplateOverlap.overlaps(a.template(), b),
          a.template() + " and " + b + " share " + a.topic());
    }
  }

  record Expansion(TopicTemplate template, Map<String, String> values) {}

  record Candidate(TopicTemplate template, String topic) {}

  @Provide
  Arbitrary<Expansion> expansions() {
    return templates(text(LITERAL_UNITS), false).flatMap(template -> {
      List<Arbitrary<String>> values = new ArrayList<>();
      List<Segment> segments = template.segments();
      for (int i = 0; i < segments.size(); i++) {
        if (segments.get(i) instanceof Segment.Variable v) {
          values.add(value(v.multiLevel(), i == 0));
        }
      }
      return Combinators.combine(values).as(list -> {
        Map<String, String> byPath = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
          byPath.put(template.variables().get(i), list.get(i));
        }
        return new Expansion(template, byPath);
      });
    });
  }

  @Provide
  Arbitrary<String> templateLikeStrings() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(30),
        Arbitraries.of(SYNTAX_UNITS).list().ofMaxSize(12).map(units -> String.join("", units)));
  }

  /** Topics built to nearly fit a template: mostly right, sometimes empty, '$', wildcard or off by a level. */
  @Provide
  Arbitrary<Candidate> candidateTopics() {
    return templates(text(LITERAL_UNITS), true).flatMap(template -> {
      List<Arbitrary<String>> levels = new ArrayList<>();
      for (Segment segment : template.segments()) {
        levels.add(nearLevel(segment));
      }
      Arbitrary<Integer> lengthChange = Arbitraries.of(-1, 0, 0, 0, 0, 0, 1);
      return Combinators.combine(Combinators.combine(levels).as(l -> l), lengthChange)
          .as((l, change) -> new Candidate(template, String.join("/", resize(l, change))));
    });
  }

  @Provide
  Arbitrary<TopicTemplate> smallTemplates() {
    return templates(Arbitraries.of("a", "b"), true);
  }

  /** Topics over the same two-letter alphabet as {@link #smallTemplates()}, fitting the template. */
  @Provide
  Arbitrary<Candidate> smallCandidates() {
    Arbitrary<String> letter = Arbitraries.of("a", "b");
    return smallTemplates().flatMap(template -> {
      List<Arbitrary<String>> levels = new ArrayList<>();
      for (Segment segment : template.segments()) {
        levels.add(segment instanceof Segment.Literal literal
            ? Arbitraries.just(literal.text())
            : segment instanceof Segment.Variable v && v.multiLevel()
                ? letter.list().ofMinSize(1).ofMaxSize(2).map(l -> String.join("/", l))
                : letter);
      }
      return Combinators.combine(levels).as(l -> new Candidate(template, String.join("/", l)));
    });
  }

  /**
   * Templates of 1-5 levels mixing literals, '*' (if wanted) and single-level variables, with an
   * optional trailing '**' variable; variable paths are unique and sometimes nested.
   */
  private static Arbitrary<TopicTemplate> templates(Arbitrary<String> literal, boolean wildcards) {
    Arbitrary<String> kind =
        wildcards ? Arbitraries.of("literal", "star", "variable") : Arbitraries.of("literal", "variable");
    Arbitrary<List<String>> levels =
        Combinators.combine(kind, literal, Arbitraries.of(true, false))
            .as((k, text, nested) -> k.equals("literal") ? text : k.equals("star") ? "*" : nested ? "{m.v}" : "{v}")
            .list().ofMinSize(1).ofMaxSize(5);
    return Combinators.combine(levels, Arbitraries.of(true, false)).as((list, multi) -> {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        // Number the paths so each is bound once; '$' cannot start a template.
        String level = list.get(i).replace("v}", "v" + i + "}");
        out.add(i == 0 && level.startsWith("$") ? "x" + level : level);
      }
      if (multi) {
        out.add("{rest=**}");
      }
      return TopicTemplate.parse(String.join("/", out));
    });
  }

  private static Arbitrary<String> text(String[] units) {
    return Arbitraries.of(units).list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("", l));
  }

  private static Arbitrary<String> value(boolean multiLevel, boolean startsTopic) {
    Arbitrary<String> level = text(VALUE_UNITS);
    Arbitrary<String> value =
        multiLevel ? level.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("/", l)) : level;
    return startsTopic ? value.filter(v -> !v.startsWith("$")) : value;
  }

  private static Arbitrary<String> nearLevel(Segment segment) {
    Arbitrary<String> odd = Arbitraries.of("", "$a", "a+", "#", "+", "x/y");
    Arbitrary<String> fitting =
        segment instanceof Segment.Literal literal
            ? Arbitraries.just(literal.text())
            : value(segment instanceof Segment.Variable v && v.multiLevel(), false);
    return Arbitraries.frequencyOf(Tuple.of(12, fitting), Tuple.of(1, odd));
  }

  private static List<String> resize(List<String> levels, int change) {
    List<String> out = new ArrayList<>(levels);
    if (change < 0 && out.size() > 1) {
      out.remove(out.size() - 1);
    } else if (change > 0) {
      out.add("extra");
    }
    return out;
  }
}
