package io.grpcmqtt.mapper.table;

import static io.grpcmqtt.mapper.table.TestServices.bidi;
import static io.grpcmqtt.mapper.table.TestServices.clientStreaming;
import static io.grpcmqtt.mapper.table.TestServices.service;
import static io.grpcmqtt.mapper.table.TestServices.serverStreaming;
import static io.grpcmqtt.mapper.table.TestServices.table;
import static io.grpcmqtt.mapper.table.TestServices.topic;
import static io.grpcmqtt.mapper.table.TestServices.unary;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor.MethodType;
import io.grpcmqtt.mapper.table.testproto.Reading;
import io.grpcmqtt.mapper.table.testproto.TableTestProto;
import io.grpcmqtt.mapper.template.TemplateException;
import io.grpcmqtt.mapper.template.testproto.Request;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MethodTableTest {
  private static final String S = "grpcmqtt.mapper.template.test.S";

  private static final MethodTable GENERATED = MethodTable.build("grpc", List.of(
      TableTestProto.getDescriptor().findServiceByName("Telemetry"),
      TableTestProto.getDescriptor().findServiceByName("Devices")));

  private static MappedMethod generated(String fullMethodName) {
    return GENERATED.method(fullMethodName).orElseThrow();
  }

  @Test
  void methodWithoutOptionsGetsThePinnedDefaultTopic() {
    MappedMethod m = table(service("S", unary("Get"))).method(S + "/Get").orElseThrow();

    assertEquals("grpc/" + S + "/Get", m.defaultTopic());
    assertEquals("grpc/" + S + "/Get", m.requestTemplate().toString());
    assertEquals("grpc/" + S + "/+", m.subscriptionFilter());
    assertEquals(Optional.empty(), m.binding());
    assertEquals(Optional.empty(), m.bodyField());
    assertEquals(OptionalInt.empty(), m.qos());
    assertEquals(Optional.empty(), m.timeout());
    assertFalse(m.idempotent());
    assertEquals(MethodType.UNARY, m.type());
    assertEquals("grpc/" + S + "/Get", m.requestTopic(Request.getDefaultInstance()));
    assertNull(m.requestContentType());
  }

  @Test
  void defaultTopicsFollowTheConfiguredPrefix() {
    MethodTable table = MethodTable.build("acme/rpc", service("S", unary("Get")));

    assertEquals("acme/rpc/" + S + "/Get", table.methods().get(0).defaultTopic());
    assertEquals("acme/rpc/" + S + "/+", table.services().get(0).defaultFilter());
  }

  @Test
  void readsOptionsFromGeneratedDescriptors() {
    MappedMethod publish = generated("grpcmqtt.mapper.table.test.Telemetry/Publish");
    MappedMethod watch = generated("grpcmqtt.mapper.table.test.Telemetry/Watch");

    assertEquals("telemetry/{device_id}/{sensor}", publish.requestTemplate().toString());
    assertEquals("telemetry/+/+", publish.subscriptionFilter());
    assertEquals("value", publish.bodyField().orElseThrow().getName());
    assertEquals(OptionalInt.of(1), publish.qos());
    assertEquals(Optional.of(Duration.ofMillis(2500)), publish.timeout());
    assertTrue(publish.idempotent());
    assertEquals(MethodType.SERVER_STREAMING, watch.type());
    assertEquals(OptionalInt.of(0), watch.qos(), "inherits the service's QoS");
    assertEquals(Optional.of("ingest"), publish.service().sharedSubscriptionGroup());
  }

  @Test
  void servicePrefixGoesInFrontOfEveryMethodTemplate() {
    assertEquals("devices/{device_id}/Status",
        generated("grpcmqtt.mapper.table.test.Devices/Status").requestTemplate().toString());
    assertEquals("devices/{device_id}/config/{unit=**}",
        generated("grpcmqtt.mapper.table.test.Devices/Config").requestTemplate().toString());
    assertEquals("devices/+/config/#",
        generated("grpcmqtt.mapper.table.test.Devices/Config").subscriptionFilter());
  }

  @Test
  void routesDefaultTopicsAndTemplatedTopics() {
    MappedMethod publish = generated("grpcmqtt.mapper.table.test.Telemetry/Publish");
    MappedMethod config = generated("grpcmqtt.mapper.table.test.Devices/Config");

    assertEquals(Optional.of(new MethodTable.Route(publish, false)),
        GENERATED.route("grpc/grpcmqtt.mapper.table.test.Telemetry/Publish"));
    assertEquals(Optional.of(new MethodTable.Route(publish, true)),
        GENERATED.route("telemetry/d1/temp"));
    assertEquals(Optional.of(new MethodTable.Route(config, true)),
        GENERATED.route("devices/d1/config/net/wifi"));
    assertEquals(Optional.empty(), GENERATED.route("telemetry/d1"));
    assertEquals(Optional.empty(), GENERATED.route("grpc/grpcmqtt.mapper.table.test.Telemetry/Nope"),
        "unknown methods of a hosted service are the server's to answer UNIMPLEMENTED");
  }

  @Test
  void expandsRequestsAndFillsThemBackFromTopicAndBody() {
    MappedMethod publish = generated("grpcmqtt.mapper.table.test.Telemetry/Publish");
    Reading reading = Reading.newBuilder().setDeviceId("d1").setSensor("temp")
        .setValue(ByteString.copyFromUtf8("21.5")).build();

    String topic = publish.requestTopic(reading);
    Reading.Builder received = Reading.newBuilder();
    assertTrue(publish.fillFromTopic(topic, received));
    publish.fillBody(received, "21.5".getBytes(StandardCharsets.UTF_8));

    assertEquals("telemetry/d1/temp", topic);
    assertEquals(reading, received.build());
    assertEquals("application/protobuf", publish.requestContentType());
  }

  @Test
  void stringBodiesMustBeUtf8() {
    MappedMethod m = table(service("S", unary("M", topic("a/{i32}", "name")))).methods().get(0);
    Message.Builder request = DynamicMessage.newBuilder(m.descriptor().getInputType());

    m.fillBody(request, "grüße".getBytes(StandardCharsets.UTF_8));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> m.fillBody(request, new byte[] {(byte) 0xC3, (byte) 0x28}));

    assertEquals("grüße", request.getField(m.bodyField().orElseThrow()));
    assertEquals("payload is not valid UTF-8, but it fills string field 'name' of"
        + " grpcmqtt.mapper.template.test.Request", e.getMessage());
  }

  @Test
  void bytesBodiesTakeAnyPayload() {
    MappedMethod m = table(service("S", unary("M", topic("a/{name}", "blob")))).methods().get(0);
    Message.Builder request = DynamicMessage.newBuilder(m.descriptor().getInputType());

    m.fillBody(request, new byte[] {0, (byte) 0xff});

    assertArrayEquals(new byte[] {0, (byte) 0xff},
        ((ByteString) request.getField(m.bodyField().orElseThrow())).toByteArray());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(nullValues = "null", value = {
      "null, true",
      "text/plain, true",
      "application/octet-stream, true",
      "application/json, false",
      "Application/JSON; charset=utf-8, false",
      "application/protobuf, false",
      "application/x-protobuf, false",
      "application/grpc+proto, false"})
  void payloadIsTheBodyUnlessTheContentTypeNamesAMessageEncoding(String contentType, boolean body) {
    MappedMethod m = table(service("S", unary("M", topic("a/{name}", "blob")))).methods().get(0);

    assertEquals(body, m.payloadIsBody(contentType));
  }

  @Test
  void wholeMessageBodiesNeverTreatThePayloadAsAField() {
    MappedMethod star = table(service("S", unary("M", topic("a/{name}", "*")))).methods().get(0);

    assertFalse(star.payloadIsBody(null));
    assertEquals(Optional.empty(), star.bodyField());
    assertNull(star.requestContentType());
  }

  @Test
  void streamingKindsTakeLiteralTemplatesAndServerStreamingTakesFieldsAndBody() {
    MethodTable table = table(service("S",
        clientStreaming("Upload", topic("files/upload")),
        bidi("Chat", topic("chat/open")),
        serverStreaming("Follow", topic("follow/{name}", "blob"))));

    assertEquals(MethodType.CLIENT_STREAMING, table.route("files/upload").orElseThrow().method().type());
    assertEquals(MethodType.BIDI_STREAMING, table.route("chat/open").orElseThrow().method().type());
    assertEquals(MethodType.SERVER_STREAMING, table.route("follow/x").orElseThrow().method().type());
  }

  @Test
  void expandFailsClearlyWhenABoundFieldIsEmpty() {
    MappedMethod m = table(service("S", unary("M", topic("a/{name}")))).methods().get(0);

    TemplateException e = assertThrows(TemplateException.class,
        () -> m.requestTopic(Request.getDefaultInstance()));

    assertEquals("cannot expand topic template \"a/{name}\": field 'name' is empty and is bound to"
        + " the topic", e.getMessage());
  }

  @Test
  void routeRejectsTopicsWhoseValuesDoNotParse() {
    MappedMethod m = table(service("S", unary("M", topic("n/{i32}")))).methods().get(0);
    Message.Builder request = DynamicMessage.newBuilder(m.descriptor().getInputType());

    TemplateException e = assertThrows(TemplateException.class, () -> m.fillFromTopic("n/x", request));

    assertTrue(e.getMessage().contains("does not parse as int32"), e.getMessage());
  }
}
