package io.grpcmqtt.mapper.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import io.grpcmqtt.mapper.template.testproto.Color;
import io.grpcmqtt.mapper.template.testproto.Device;
import io.grpcmqtt.mapper.template.testproto.Location;
import io.grpcmqtt.mapper.template.testproto.Request;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class TemplateBindingTest {
  private static final String REQUEST = "grpcmqtt.mapper.template.test.Request";
  private static final String EVERY_KIND =
      "r/{name}/{i32}/{i64}/{u32}/{u64}/{s32}/{s64}/{f32}/{f64}/{sf32}/{sf64}/{flag}/{color}"
          + "/{device.id}/{device.location.floor}/{queue}/{path=**}";

  private static TemplateBinding binding(String template) {
    return TemplateBinding.compile(TopicTemplate.parse(template), Request.getDescriptor());
  }

  static Stream<Arguments> compileErrors() {
    return Stream.of(
        compileError("{nope}", "nope", "message " + REQUEST + " has no field 'nope'"),
        compileError("a/{device.location.nope}", "device.location.nope",
            "message grpcmqtt.mapper.template.test.Location has no field 'nope'"),
        compileError("{name.x}", "name.x", "field 'name' of " + REQUEST + " is string, not a message"),
        compileError("{devices.id}", "devices.id", "field 'devices' of " + REQUEST
            + " is repeated; only singular message fields can be traversed"),
        compileError("{device_map.id}", "device_map.id", "field 'device_map' of " + REQUEST
            + " is a map; only singular message fields can be traversed"),
        compileError("{blob}", "blob", "field 'blob' of " + REQUEST
            + " is bytes, which has no canonical text form for a topic"),
        compileError("{ratio}", "ratio", "field 'ratio' of " + REQUEST
            + " is float, which has no exact text form for a topic"),
        compileError("{weight}", "weight", "field 'weight' of " + REQUEST
            + " is double, which has no exact text form for a topic"),
        compileError("{device}", "device", "field 'device' of " + REQUEST
            + " is a message; bind one of its scalar fields instead, as in {device.<field>}"),
        compileError("{tags}", "tags", "field 'tags' of " + REQUEST
            + " is repeated; only singular fields can be bound to a topic"),
        compileError("{device.aliases}", "device.aliases",
            "field 'aliases' of grpcmqtt.mapper.template.test.Device"
                + " is repeated; only singular fields can be bound to a topic"),
        compileError("{labels}", "labels", "field 'labels' of " + REQUEST
            + " is a map; only singular fields can be bound to a topic"),
        compileError("a/{i64=**}", "i64", "'**' binds several topic levels and needs a string"
            + " field, but field 'i64' of " + REQUEST + " is int64"),
        compileError("a/{color=**}", "color", "'**' binds several topic levels and needs a string"
            + " field, but field 'color' of " + REQUEST + " is enum"));
  }

  private static Arguments compileError(String template, String path, String problem) {
    return Arguments.of(template,
        "invalid topic template \"" + template + "\": field path '" + path + "': " + problem);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("compileErrors")
  void rejectsUnbindableFieldsWithExactMessages(String template, String message) {
    TemplateException e = assertThrows(TemplateException.class, () -> binding(template));

    assertEquals(message, e.getMessage());
  }

  @Test
  void compilesEveryBindableKindIncludingOptionalAndOneofFields() {
    TemplateBinding binding = binding("r/{maybe}/{shard}/" + EVERY_KIND.substring(2));

    assertEquals(Request.getDescriptor(), binding.requestType());
    assertEquals(19, binding.template().variables().size());
  }

  @Test
  void expandsEveryKindInItsCanonicalTextAndBindsItBack() {
    Request request =
        Request.newBuilder()
            .setName("n")
            .setI32(Integer.MIN_VALUE)
            .setI64(Long.MIN_VALUE)
            .setU32(-1)
            .setU64(-1L)
            .setS32(-7)
            .setS64(Long.MAX_VALUE)
            .setF32(Integer.MIN_VALUE)
            .setF64(Long.MIN_VALUE)
            .setSf32(-1)
            .setSf64(0)
            .setFlag(true)
            .setColor(Color.GREEN)
            .setDevice(Device.newBuilder().setId("d").setLocation(Location.newBuilder().setFloor(-2)))
            .setQueue("q")
            .setPath("p/a/th")
            .build();
    TemplateBinding binding = binding(EVERY_KIND);

    String topic = binding.expand(request);

    assertEquals("r/n/-2147483648/-9223372036854775808/4294967295/18446744073709551615/-7"
        + "/9223372036854775807/2147483648/9223372036854775808/-1/0/true/GREEN/d/-2/q/p/a/th", topic);
    Request.Builder bound = Request.newBuilder();
    assertTrue(binding.bind(topic, bound));
    assertEquals(request, bound.build());
  }

  @Test
  void expandsFromBuildersAndReadsUnsetNestedMessagesAsDefaults() {
    TemplateBinding binding = binding("r/{device.location.floor}/{device.slot}/{flag}/{color}");

    assertEquals("r/0/0/false/COLOR_UNSPECIFIED", binding.expand(Request.newBuilder()));
  }

  static Stream<Arguments> expandErrors() {
    return Stream.of(
        Arguments.of("r/{name}", Request.getDefaultInstance(),
            "field 'name' is empty and is bound to the topic"),
        Arguments.of("r/{device.location.site}", Request.getDefaultInstance(),
            "field 'device.location.site' is empty and is bound to the topic"),
        Arguments.of("r/{color}", Request.newBuilder().setColorValue(7).build(),
            "field 'color' holds enum number 7, which has no name in"
                + " grpcmqtt.mapper.template.test.Color"),
        Arguments.of("r/{name}", Request.newBuilder().setName("a/b").build(),
            "field 'name' value \"a/b\" contains '/' but is bound to a single topic level"),
        Arguments.of("{path=**}", Request.newBuilder().setPath("$SYS/x").build(),
            "field 'path' value \"$SYS/x\" would start the topic with '$'"
                + " (reserved for broker topics such as $SYS)"));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("expandErrors")
  void rejectsUnexpandableRequestsWithExactMessages(String template, Request request, String problem) {
    TemplateBinding binding = binding(template);

    TemplateException e = assertThrows(TemplateException.class, () -> binding.expand(request));

    assertEquals("cannot expand topic template \"" + template + "\": " + problem, e.getMessage());
  }

  @ParameterizedTest(name = "{1} into {0}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      # field | bad text            | expected type phrase
      i32     | abc                 | does not parse as int32 (canonical decimal expected)
      i32     | 00                  | does not parse as int32 (canonical decimal expected)
      i32     | 01                  | does not parse as int32 (canonical decimal expected)
      i32     | -0                  | does not parse as int32 (canonical decimal expected)
      i32     | 2147483648          | does not parse as int32 (canonical decimal expected)
      i32     | ٣                   | does not parse as int32 (canonical decimal expected)
      s32     | 1.0                 | does not parse as sint32 (canonical decimal expected)
      sf32    | 1e3                 | does not parse as sfixed32 (canonical decimal expected)
      i64     | 9223372036854775808 | does not parse as int64 (canonical decimal expected)
      s64     | 0x10                | does not parse as sint64 (canonical decimal expected)
      sf64    | ' 1'                | does not parse as sfixed64 (canonical decimal expected)
      u32     | -1                  | does not parse as uint32 (canonical decimal expected)
      u32     | 4294967296          | does not parse as uint32 (canonical decimal expected)
      f32     | 007                 | does not parse as fixed32 (canonical decimal expected)
      u64     | 18446744073709551616| does not parse as uint64 (canonical decimal expected)
      f64     | -1                  | does not parse as fixed64 (canonical decimal expected)
      flag    | yes                 | does not parse as bool (true or false expected)
      flag    | True                | does not parse as bool (true or false expected)
      color   | BLUE                | does not name a value of enum grpcmqtt.mapper.template.test.Color
      color   | 1                   | does not name a value of enum grpcmqtt.mapper.template.test.Color
      """)
  void rejectsUnparsableLevelsWithExactMessagesAndLeavesBuilderAlone(
      String field, String text, String problem) {
    TemplateBinding binding = binding("r/{name}/{" + field + "}");
    Request.Builder builder = Request.newBuilder().setI32(5);
    String topic = "r/n/" + text;

    TemplateException e = assertThrows(TemplateException.class, () -> binding.bind(topic, builder));

    assertEquals("cannot bind topic \"" + topic + "\" to template \"r/{name}/{" + field + "}\": value \""
        + text + "\" of field '" + field + "' " + problem, e.getMessage());
    assertEquals(Request.newBuilder().setI32(5).build(), builder.build());
  }

  @Test
  void bindReturnsFalseAndChangesNothingWhenTopicDoesNotMatch() {
    Request.Builder builder = Request.newBuilder().setName("keep");

    assertFalse(binding("r/{name}").bind("s/x", builder));
    assertEquals("keep", builder.getName());
  }

  @Test
  void bindKeepsFieldsOutsideTheTemplateIncludingNestedSiblings() {
    Request.Builder builder =
        Request.newBuilder().setI32(3).setDevice(Device.newBuilder().setId("old").setSlot(4));

    assertTrue(binding("r/{device.id}/{device.location.site}").bind("r/new/lab", builder));

    assertEquals(
        Request.newBuilder()
            .setI32(3)
            .setDevice(
                Device.newBuilder().setId("new").setSlot(4).setLocation(Location.newBuilder().setSite("lab")))
            .build(),
        builder.build());
  }

  @Test
  void bindSelectsTheBoundOneofMember() {
    Request.Builder builder = Request.newBuilder().setShard(9);

    assertTrue(binding("r/{queue}").bind("r/jobs", builder));

    assertEquals(Request.TargetCase.QUEUE, builder.getTargetCase());
    assertEquals("jobs", builder.getQueue());
  }

  @Test
  void worksWithDynamicMessages() {
    TemplateBinding binding = binding("r/{device.location.site}/{color}/{u64}");
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(Request.getDescriptor());

    assertTrue(binding.bind("r/lab/RED/18446744073709551615", builder));

    assertEquals("r/lab/RED/18446744073709551615", binding.expand(builder.build()));
  }

  @Test
  void rejectsMessagesOfAnotherType() {
    TemplateBinding binding = binding("r/{name}");

    IllegalArgumentException expand =
        assertThrows(IllegalArgumentException.class, () -> binding.expand(Device.getDefaultInstance()));
    IllegalArgumentException bind =
        assertThrows(IllegalArgumentException.class, () -> binding.bind("r/x", Device.newBuilder()));

    String message = "topic template \"r/{name}\" is bound to " + REQUEST
        + ", not grpcmqtt.mapper.template.test.Device";
    assertEquals(message, expand.getMessage());
    assertEquals(message, bind.getMessage());
    assertSame(IllegalArgumentException.class, expand.getClass());
  }
}
