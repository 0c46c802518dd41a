package io.grpcmqtt.mapper.table;

import static io.grpcmqtt.mapper.table.TestServices.bidi;
import static io.grpcmqtt.mapper.table.TestServices.clientStreaming;
import static io.grpcmqtt.mapper.table.TestServices.problems;
import static io.grpcmqtt.mapper.table.TestServices.service;
import static io.grpcmqtt.mapper.table.TestServices.serverStreaming;
import static io.grpcmqtt.mapper.table.TestServices.topic;
import static io.grpcmqtt.mapper.table.TestServices.unary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Duration;
import io.grpcmqtt.mapper.table.TestServices.Rpc;
import io.grpcmqtt.options.MethodMapping;
import io.grpcmqtt.options.ServiceMapping;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way options can be wrong, each with the exact message a user sees. */
class MethodTableErrorsTest {
  private static final String S = "grpcmqtt.mapper.template.test.S";
  private static final String REQUEST = "grpcmqtt.mapper.template.test.Request";
  private static final String AT = "t.proto: service " + S + ", method M, option ";
  private static final String TOPIC = AT + "(grpcmqtt.method).topic: ";
  private static final String BODY = AT + "(grpcmqtt.method).body: ";

  static Stream<Arguments> methodErrors() {
    return Stream.of(
        // Template syntax and MQTT rules, from the template parser.
        error(unary("M", topic("a//b")),
            TOPIC + "invalid topic template \"a//b\": empty topic level at position 2"),
        error(unary("M", topic("a/+/b")),
            TOPIC + "invalid topic template \"a/+/b\": MQTT wildcard '+' is not allowed at position 2"),
        error(unary("M", topic("$SYS/{name}")), TOPIC + "invalid topic template \"$SYS/{name}\":"
            + " topic must not start with '$' (reserved for broker topics such as $SYS) at position 0"),
        error(unary("M", topic("a/{path=**}/b")), TOPIC + "invalid topic template"
            + " \"a/{path=**}/b\": multi-level variable must be the last topic level at position 2"),
        error(unary("M", topic("grpc/_reply/{name}")), TOPIC + "invalid topic template"
            + " \"grpc/_reply/{name}\": topic prefix 'grpc/_' is reserved for grpc-mqtt control topics"),
        error(unary("M", topic("devices/*/x")), TOPIC + "topic template \"devices/*/x\": '*' binds"
            + " no request field, so a client cannot build the topic; bind the level to a field"
            + " instead, as in {field}"),
        // Template against the request type, from the binding.
        error(unary("M", topic("a/{nope}")), TOPIC + "invalid topic template \"a/{nope}\": field"
            + " path 'nope': message " + REQUEST + " has no field 'nope'"),
        error(unary("M", topic("a/{blob}")), TOPIC + "invalid topic template \"a/{blob}\": field"
            + " path 'blob': field 'blob' of " + REQUEST
            + " is bytes, which has no canonical text form for a topic"),
        // Call kinds.
        error(clientStreaming("M", topic("up/{name}")), TOPIC + "topic template \"up/{name}\""
            + " binds request fields, but a client-streaming method publishes its topic before any"
            + " request message; use a template without variables"),
        error(bidi("M", topic("chat/{name}")), TOPIC + "topic template \"chat/{name}\" binds"
            + " request fields, but a bidi-streaming method publishes its topic before any request"
            + " message; use a template without variables"),
        error(clientStreaming("M", topic("up", "blob")), BODY + "body 'blob' needs a request"
            + " message in the first PUBLISH, which a client-streaming method does not send; use '*'"),
        // Body.
        error(unary("M", MethodMapping.newBuilder().setBody("blob").build()), BODY + "body 'blob'"
            + " needs a topic template: on the default topic the payload is always the whole"
            + " request message"),
        error(unary("M", topic("a/{name}", "nope")), BODY + "message " + REQUEST
            + " has no field 'nope'"),
        error(unary("M", topic("a/{name}", "tags")), BODY + "field 'tags' of " + REQUEST
            + " is repeated; the body must be a singular bytes or string field"),
        error(unary("M", topic("a/{name}", "labels")), BODY + "field 'labels' of " + REQUEST
            + " is a map; the body must be a singular bytes or string field"),
        error(unary("M", topic("a/{name}", "i32")), BODY + "field 'i32' of " + REQUEST
            + " is int32; the body must be a bytes or string field"),
        error(unary("M", topic("a/{name}", "device")), BODY + "field 'device' of " + REQUEST
            + " is message; the body must be a bytes or string field"),
        error(serverStreaming("M", topic("a/{name}", "name")), BODY + "field 'name' of " + REQUEST
            + " is bound in topic template \"a/{name}\", so it cannot also be the body"),
        // QoS and timeout.
        error(unary("M", MethodMapping.newBuilder().setQos(2).build()),
            AT + "(grpcmqtt.method).qos: QoS 2 is not supported: use 0 or 1"),
        error(unary("M", MethodMapping.newBuilder().setTimeout(Duration.getDefaultInstance()).build()),
            AT + "(grpcmqtt.method).timeout: timeout must be positive, not 0s 0ns"),
        error(unary("M", MethodMapping.newBuilder()
                .setTimeout(Duration.newBuilder().setSeconds(-1)).build()),
            AT + "(grpcmqtt.method).timeout: timeout must be positive, not -1s 0ns"),
        error(unary("M", MethodMapping.newBuilder()
                .setTimeout(Duration.newBuilder().setNanos(2_000_000_000)).build()),
            AT + "(grpcmqtt.method).timeout: timeout must be positive, not 0s 2000000000ns"));
  }

  private static Arguments error(Rpc rpc, String message) {
    return Arguments.of(rpc, message);
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("methodErrors")
  void rejectsInvalidMethodOptionsNamingFileServiceMethodAndOption(Rpc rpc, String message) {
    assertEquals(List.of(message), problems(service("S", rpc)));
  }

  static Stream<Arguments> serviceErrors() {
    String at = "t.proto: service " + S + ", option (grpcmqtt.service).";
    return Stream.of(
        Arguments.of(ServiceMapping.newBuilder().setTopicPrefix("dev/{name").build(),
            at + "topic_prefix: invalid topic template \"dev/{name\": unterminated variable at position 4"),
        Arguments.of(ServiceMapping.newBuilder().setQos(3).build(),
            at + "qos: QoS 3 is not supported: use 0 or 1"),
        Arguments.of(ServiceMapping.newBuilder().setSharedSubscriptionGroup("a/b").build(),
            at + "shared_subscription_group: shared subscription group 'a/b' must not contain"
                + " '/', '+' or '#'"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("serviceErrors")
  void rejectsInvalidServiceOptionsNamingFileServiceAndOption(ServiceMapping options, String message) {
    assertEquals(List.of(message), problems(service("t.proto", "S", options, unary("M"))));
  }

  @Test
  void namesTheServicePrefixWhenAMethodInheritsItsTemplate() {
    ServiceMapping options = ServiceMapping.newBuilder().setTopicPrefix("dev/{nope}").build();

    assertEquals(List.of("t.proto: service " + S + ", method M, option"
            + " (grpcmqtt.service).topic_prefix: invalid topic template \"dev/{nope}/M\": field"
            + " path 'nope': message " + REQUEST + " has no field 'nope'"),
        problems(service("t.proto", "S", options, unary("M"))));
  }

  static Stream<Arguments> collisions() {
    String other = "grpcmqtt.mapper.template.test.S/Other";
    return Stream.of(
        Arguments.of(topic("a/{path}"), topic("a/{name}"), TOPIC + "topic template \"a/{name}\""
            + " overlaps the topic template \"a/{path}\" of method " + other
            + " (t.proto): both match topic \"a/x\""),
        Arguments.of(topic("a/b/{path=**}"), topic("a/{name}/c"), TOPIC + "topic template"
            + " \"a/{name}/c\" overlaps the topic template \"a/b/{path=**}\" of method " + other
            + " (t.proto): both match topic \"a/b/c\""),
        // '#' also receives the parent level, in both directions.
        Arguments.of(topic("a/{path=**}"), topic("a"), TOPIC + "topic template \"a\" matches"
            + " topic \"a\", which the subscription filter \"a/#\" of method " + other
            + " (t.proto) also receives"),
        Arguments.of(topic("{name}"), topic("a/{path=**}"), TOPIC + "subscription filter \"a/#\""
            + " of topic template \"a/{path=**}\" also receives topic \"a\", which matches the"
            + " topic template \"{name}\" of method " + other + " (t.proto)"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("collisions")
  void rejectsTheLaterOfTwoCollidingMethods(MethodMapping first, MethodMapping second, String message) {
    assertEquals(List.of(message), problems(service("S", unary("Other", first), unary("M", second))));
  }

  @Test
  void rejectsTemplatesOverlappingDefaultTopicsOfAnyServiceInTheTable() {
    assertEquals(List.of(TOPIC + "topic template \"grpc/" + S + "/{name}\" overlaps the default"
            + " topics \"grpc/" + S + "/{Method}\" of service " + S + ": both match topic \"grpc/"
            + S + "/x\""),
        problems(service("S", unary("M", topic("grpc/" + S + "/{name}")))));

    assertEquals(List.of(TOPIC + "subscription filter \"grpc/" + S + "/Get/#\" of topic template"
            + " \"grpc/" + S + "/Get/{path=**}\" also receives topic \"grpc/" + S + "/Get\", which"
            + " matches the default topics \"grpc/" + S + "/{Method}\" of service " + S),
        problems(service("S", unary("M", topic("grpc/" + S + "/Get/{path=**}")))));
  }

  @Test
  void rejectsTemplatesThatWouldReceiveControlTopics() {
    assertEquals(List.of(TOPIC + "topic template \"{name}/{path=**}\" overlaps grpc-mqtt's"
            + " control topics \"grpc/_reply/{client}\": both match topic \"grpc/_reply/x\""),
        problems(service("S", unary("M", topic("{name}/{path=**}")))));
  }

  @Test
  void namesTheOtherFileForCollisionsAcrossFilesAndReportsEveryProblem() {
    var first = service("a/first.proto", "First", ServiceMapping.getDefaultInstance(),
        unary("Get", topic("things/{name}")));
    var second = service("b/second.proto", "Second", ServiceMapping.getDefaultInstance(),
        unary("Put", topic("things/{path}")), unary("Bad", MethodMapping.newBuilder().setQos(7).build()));

    assertEquals(List.of(
            "b/second.proto: service grpcmqtt.mapper.template.test.Second, method Bad, option"
                + " (grpcmqtt.method).qos: QoS 7 is not supported: use 0 or 1",
            "b/second.proto: service grpcmqtt.mapper.template.test.Second, method Put, option"
                + " (grpcmqtt.method).topic: topic template \"things/{path}\" overlaps the topic"
                + " template \"things/{name}\" of method grpcmqtt.mapper.template.test.First/Get"
                + " (a/first.proto): both match topic \"things/x\""),
        problems(first, second));
  }

  @Test
  void exceptionMessageHasOneLinePerProblem() {
    MappingException e = assertThrows(MappingException.class, () -> TestServices.table(
        service("S", unary("M", topic("a/{nope}")), unary("N", topic("b", "i32")))));

    assertEquals(2, e.problems().size());
    assertEquals(e.problems().get(0) + "\n" + e.problems().get(1), e.getMessage());
    assertEquals("N", e.problems().get(1).method());
    assertEquals("(grpcmqtt.method).body", e.problems().get(1).option());
  }

  @Test
  void rejectsDuplicateServicesAndNonLiteralPrefixes() {
    var s = service("S", unary("M"));

    IllegalArgumentException twice =
        assertThrows(IllegalArgumentException.class, () -> TestServices.table(s, s));
    IllegalArgumentException prefix = assertThrows(IllegalArgumentException.class,
        () -> MethodTable.build("grpc/{x}", s));

    assertEquals("service " + S + " appears twice (t.proto and t.proto)", twice.getMessage());
    assertEquals("invalid topic prefix 'grpc/{x}': it must be literal topic levels",
        prefix.getMessage());
  }
}
