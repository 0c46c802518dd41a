package io.grpcmqtt.mapper.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class TopicTemplateParseTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      # template                        | canonical                       | filter                  | variables
      a                                 | a                               | a                       |
      devices/{device.id}/state         | devices/{device.id}/state       | devices/+/state         | device.id
      devices/{id=*}/state              | devices/{id}/state              | devices/+/state         | id
      gateway/send/{topic=**}           | gateway/send/{topic=**}         | gateway/send/#          | topic
      */{a}/*/{b_2.C=**}                | */{a}/*/{b_2.C=**}              | +/+/+/#                 | a;b_2.C
      {_x}                              | {_x}                            | +                       | _x
      {all=**}                          | {all=**}                        | #                       | all
      a$b/x y/ü/😀/=/.                  | a$b/x y/ü/😀/=/.                | a$b/x y/ü/😀/=/.        |
      """)
  void parsesValidTemplates(String text, String canonical, String filter, String variables) {
    TopicTemplate template = TopicTemplate.parse(text);

    assertEquals(canonical, template.toString());
    assertEquals(filter, template.subscriptionFilter());
    assertEquals(variables == null ? List.of() : List.of(variables.split(";")), template.variables());
    assertEquals(template, TopicTemplate.parse(canonical));
    assertEquals(template.hashCode(), TopicTemplate.parse(canonical).hashCode());
  }

  @Test
  void exposesSegments() {
    assertEquals(
        List.of(
            new Segment.Literal("a"),
            new Segment.Wildcard(),
            new Segment.Variable("b.c", false),
            new Segment.Variable("d", true)),
        TopicTemplate.parse("a/*/{b.c=*}/{d=**}").segments());
    assertEquals(List.of("b", "c"), new Segment.Variable("b.c", false).fieldNames());
  }

  static Stream<Arguments> syntaxErrors() {
    return Stream.of(
        error("", "empty topic level at position 0"),
        error("/a", "empty topic level at position 0"),
        error("a/", "empty topic level at position 2"),
        error("a//b", "empty topic level at position 2"),
        error("a/{x", "unterminated variable at position 2"),
        error("{x.", "unterminated variable at position 0"),
        error("{x=", "unterminated variable at position 0"),
        error("{x=*", "unterminated variable at position 0"),
        error("{x=**", "unterminated variable at position 0"),
        error("{", "unterminated variable at position 0"),
        error("{}", "expected a field name at position 1"),
        error("{1x}", "expected a field name at position 1"),
        error("{.x}", "expected a field name at position 1"),
        error("{x.}", "expected a field name at position 3"),
        error("{x..y}", "expected a field name at position 3"),
        error("{x-y}", "expected '.', '=' or '}' at position 2"),
        error("{x/y}", "expected '.', '=' or '}' at position 2"),
        error("{x=}", "expected '*' or '**' after '=' at position 3"),
        error("{x=y}", "expected '*' or '**' after '=' at position 3"),
        error("{x=*y}", "expected '}' at position 4"),
        error("{x=***}", "expected '}' at position 5"),
        error("a{x}", "variable must be a whole topic level at position 1"),
        error("{x}a", "variable must be a whole topic level at position 3"),
        error("a}", "unexpected '}' at position 1"),
        error("}", "unexpected '}' at position 0"),
        error("a*", "'*' must be a whole topic level at position 1"),
        error("*a", "'*' must be a whole topic level at position 0"),
        error("a/**", "'**' must be bound to a field, as in {path=**}, at position 2"),
        error("a+b", "MQTT wildcard '+' is not allowed at position 1"),
        error("a/#", "MQTT wildcard '#' is not allowed at position 2"),
        error("a\0", "\"a\\u0000\"", "NUL character is not allowed at position 1"),
        error("ab\uD800", "\"ab\\uD800\"", "unpaired surrogate character at position 2"),
        error("\uDC00", "\"\\uDC00\"", "unpaired surrogate character at position 0"),
        error("{x=**}/a", "multi-level variable must be the last topic level at position 0"),
        error("a/{x=**}/", "multi-level variable must be the last topic level at position 2"),
        error("{a.b}/c/{a.b=*}", "field path 'a.b' is bound more than once at position 8"),
        error("$SYS/x",
            "topic must not start with '$' (reserved for broker topics such as $SYS) at position 0"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("syntaxErrors")
  void rejectsSyntaxErrorsWithExactMessages(String text, String message) {
    TemplateException e = assertThrows(TemplateException.class, () -> TopicTemplate.parse(text));

    assertEquals(message, e.getMessage());
  }

  private static Arguments error(String text, String problem) {
    return error(text, "\"" + text + "\"", problem);
  }

  /** For templates that the message has to show escaped. */
  private static Arguments error(String text, String quoted, String problem) {
    return Arguments.of(text, "invalid topic template " + quoted + ": " + problem);
  }

  @Test
  void quotesTemplatesEscapedInMessages() {
    TemplateException e = assertThrows(TemplateException.class, () -> TopicTemplate.parse("\"a\\\0"));

    assertEquals(
        "invalid topic template \"\\\"a\\\\\\u0000\": NUL character is not allowed at position 3",
        e.getMessage());
  }

  @Test
  void acceptsTemplateOfExactlyTheMqttLimit() {
    String longest = "ü".repeat(32_767) + "a"; // 2 * 32,767 + 1 = 65,535 bytes

    assertEquals(longest, TopicTemplate.parse(longest).toString());
  }

  @Test
  void rejectsTemplateOverTheMqttLimitAtTheFirstExcessChar() {
    String tooLong = "ü".repeat(32_767) + "ab";

    TemplateException e = assertThrows(TemplateException.class, () -> TopicTemplate.parse(tooLong));

    assertEquals(
        "invalid topic template \"" + "ü".repeat(200) + "...\": template is longer than 65535"
            + " UTF-8 bytes (the MQTT topic limit) at position 32768",
        e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "grpc/_x/{a}, grpc/_",
    "grpc/_, grpc/_",
    "grpc/{a}, grpc/",
    "grpc/_/{a}, grpc/_/",
  })
  void rejectsReservedPrefixes(String text, String prefix) {
    TopicTemplate template = TopicTemplate.parse(text);

    TemplateException e =
        assertThrows(TemplateException.class, () -> template.validate(Set.of(prefix)));

    assertEquals(
        "invalid topic template \"" + text + "\": topic prefix '" + prefix
            + "' is reserved for grpc-mqtt control topics",
        e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"grpc, grpc/", "grpc/a, grpc/_", "{a}/_x, grpc/_", "x/grpc/_y, grpc/_", "*/_, grpc/_"})
  void acceptsTemplatesOutsideReservedPrefixes(String text, String prefix) {
    TopicTemplate.parse(text).validate(Set.of(prefix));
  }
}
