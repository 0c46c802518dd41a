package io.grpcmqtt.mapper.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TopicTemplateExpandTest {

  static Stream<Arguments> expansions() {
    return Stream.of(
        Arguments.of("a/b", Map.of(), "a/b"),
        Arguments.of("devices/{device.id}/state", Map.of("device.id", "d-1"), "devices/d-1/state"),
        Arguments.of("gateway/send/{topic=**}", Map.of("topic", "x"), "gateway/send/x"),
        Arguments.of("gateway/send/{topic=**}", Map.of("topic", "x/y/z"), "gateway/send/x/y/z"),
        Arguments.of("x/{a}", Map.of("a", "$x"), "x/$x"),
        Arguments.of("{a}/{b=**}", Map.of("a", "ü 😀", "b", "a b/$c"), "ü 😀/a b/$c"));
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("expansions")
  void expands(String template, Map<String, String> values, String topic) {
    assertEquals(topic, TopicTemplate.parse(template).expand(values::get));
  }

  static Stream<Arguments> expandErrors() {
    return Stream.of(
        error("a/{x}", Map.of(), "field 'x' is empty and is bound to the topic"),
        error("a/{x}", Map.of("x", ""), "field 'x' is empty and is bound to the topic"),
        error("a/{x}", Map.of("x", "b/c"),
            "field 'x' value \"b/c\" contains '/' but is bound to a single topic level"),
        error("a/{x}", Map.of("x", "b+"), "field 'x' value \"b+\" contains MQTT wildcard '+'"),
        error("a/{x=**}", Map.of("x", "b/#"), "field 'x' value \"b/#\" contains MQTT wildcard '#'"),
        error("a/{x}", Map.of("x", "b\0"), "field 'x' value \"b\\u0000\" contains a NUL character"),
        error("a/{x}", Map.of("x", "\uD83D"),
            "field 'x' value \"\\uD83D\" contains an unpaired surrogate character"),
        error("a/{x=**}", Map.of("x", "b//c"), "field 'x' value \"b//c\" contains an empty topic level"),
        error("a/{x=**}", Map.of("x", "/b"), "field 'x' value \"/b\" contains an empty topic level"),
        error("a/{x=**}", Map.of("x", "b/"), "field 'x' value \"b/\" contains an empty topic level"),
        error("{x}/a", Map.of("x", "$SYS"), "field 'x' value \"$SYS\" would start the topic with '$'"
            + " (reserved for broker topics such as $SYS)"),
        error("{x=**}", Map.of("x", "$share/g"), "field 'x' value \"$share/g\" would start the topic"
            + " with '$' (reserved for broker topics such as $SYS)"),
        error("a/*/{x}", Map.of("x", "b"),
            "'*' is not bound to a field, so the template cannot produce a topic"),
        error("a/{x}", Map.of("x", "ü".repeat(32_767)),
            "expanded topic is longer than 65535 UTF-8 bytes (the MQTT topic limit)"));
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("expandErrors")
  void rejectsBadValuesWithExactMessages(String template, Map<String, String> values, String message) {
    TopicTemplate parsed = TopicTemplate.parse(template);

    TemplateException e = assertThrows(TemplateException.class, () -> parsed.expand(values::get));

    assertEquals(message, e.getMessage());
  }

  private static Arguments error(String template, Map<String, String> values, String problem) {
    return Arguments.of(template, values,
        "cannot expand topic template \"" + template + "\": " + problem);
  }

  @Test
  void expandsTopicOfExactlyTheMqttLimit() {
    String value = "ü".repeat(32_766) + "b"; // "a/" + value = 2 + 65,532 + 1 bytes

    String topic = TopicTemplate.parse("a/{x}").expand(Map.of("x", value)::get);

    assertEquals(65_535, TopicText.utf8Length(topic));
  }

  @Test
  void quotesCanonicalTemplateInExpandErrors() {
    TopicTemplate template = TopicTemplate.parse("a/{x=*}");

    TemplateException e = assertThrows(TemplateException.class, () -> template.expand(p -> null));

    assertEquals(
        "cannot expand topic template \"a/{x}\": field 'x' is empty and is bound to the topic",
        e.getMessage());
  }
}
