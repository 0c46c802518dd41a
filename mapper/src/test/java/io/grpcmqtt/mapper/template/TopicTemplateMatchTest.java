package io.grpcmqtt.mapper.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class TopicTemplateMatchTest {

  static Stream<Arguments> matches() {
    return Stream.of(
        Arguments.of("a/b", "a/b", Map.of()),
        Arguments.of("a/*/c", "a/anything/c", Map.of()),
        Arguments.of("devices/{device.id}/state", "devices/d-1/state", Map.of("device.id", "d-1")),
        Arguments.of("gateway/send/{topic=**}", "gateway/send/x", Map.of("topic", "x")),
        Arguments.of("gateway/send/{topic=**}", "gateway/send/x/y/z", Map.of("topic", "x/y/z")),
        Arguments.of("{a}/x/{b=**}", "$a/x/$b", null),
        Arguments.of("x/{a}", "x/$a", Map.of("a", "$a")),
        Arguments.of("{a}/{b=**}", "ü 😀/a b/$c", Map.of("a", "ü 😀", "b", "a b/$c")));
  }

  @ParameterizedTest(name = "{0} ~ {1}")
  @MethodSource("matches")
  void matches(String template, String topic, Map<String, String> values) {
    assertEquals(Optional.ofNullable(values), TopicTemplate.parse(template).match(topic));
  }

  @ParameterizedTest(name = "{0} !~ {1}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      # template                | topic that must not match
      a/b                       | a/c
      a/b                       | a/b/c
      a/b                       | a
      a/*/c                     | a//c
      a/{x}                     | a/
      a/{x}                     | a/b/c
      a/{x}                     | a/b+
      a/{x}                     | a/#
      {x}/a                     | $SYS/a
      */a                       | $SYS/a
      gateway/send/{topic=**}   | gateway/send
      gateway/send/{topic=**}   | gateway/send/
      gateway/send/{topic=**}   | gateway/send/a//b
      gateway/send/{topic=**}   | gateway/send/a/
      gateway/send/{topic=**}   | gateway/other/a
      {all=**}                  | $SYS/broker/uptime
      """)
  void rejects(String template, String topic) {
    assertEquals(Optional.empty(), TopicTemplate.parse(template).match(topic));
  }

  @ParameterizedTest(name = "{0} !~ {1}: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      gateway/send/{topic=**}   | gateway/send       | it has 2 levels; the template needs at least 3
      gateway/send/{topic=**}   | gateway/send/      | level 3 is empty
      gateway/send/{topic=**}   | gateway/send/a//b  | level 4 is empty
      gateway/send/{topic=**}   | gateway/other/a    | level 2 is not "send"
      a/{x}                     | a/b/c              | it has 3 levels; the template needs 2
      a/{x}                     | a/b+               | level 2 "b+" holds '+', '#' or NUL, or starts the topic with '$'
      """)
  void saysWhyItDoesNotMatch(String template, String topic, String why) {
    assertEquals(Optional.of(why), TopicTemplate.parse(template).mismatch(topic));
  }

  @Test
  void hasNoMismatchForATopicItMatches() {
    assertEquals(Optional.empty(), TopicTemplate.parse("gateway/send/{topic=**}").mismatch("gateway/send/a/b"));
  }

  @Test
  void rejectsNulInBoundLevel() {
    assertEquals(Optional.empty(), TopicTemplate.parse("a/{x}").match("a/b\0"));
  }

  @Test
  void returnsValuesInTemplateOrderAndUnmodifiable() {
    Map<String, String> values = TopicTemplate.parse("{z}/{a}/{m=**}").match("1/2/3/4").orElseThrow();

    assertEquals(List.of("z", "a", "m"), List.copyOf(values.keySet()));
    assertEquals(new LinkedHashMap<>(Map.of("z", "1", "a", "2", "m", "3/4")), values);
    assertThrows(UnsupportedOperationException.class, () -> values.put("q", "5"));
  }
}
