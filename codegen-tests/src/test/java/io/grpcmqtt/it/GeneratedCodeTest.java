package io.grpcmqtt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.MethodDescriptor.MethodType;
import io.grpcmqtt.it.devices.DevicesMqtt2;
import io.grpcmqtt.it.devices.Method;
import io.grpcmqtt.it.greeter.v1.GreeterMqtt;
import io.grpcmqtt.it.greeter.v1.HelloRequest;
import io.grpcmqtt.mapper.template.TemplateException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The generated classes' constants and helpers, without a broker. */
class GeneratedCodeTest {
  @Test
  void constantsHoldTheCompiledMapping() {
    GreeterMqtt.Method sayHello = GreeterMqtt.Method.SAY_HELLO;

    assertEquals("acme.greeter.v1.Greeter/SayHello", sayHello.fullMethodName());
    assertEquals(MethodType.UNARY, sayHello.type());
    assertEquals("greeters/{name}/hello", sayHello.topicTemplate());
    assertEquals("greeters/+/hello", sayHello.subscriptionFilter());
    assertEquals(OptionalInt.of(1), sayHello.qos(), "from the service's default QoS");
    assertEquals(Optional.of(Duration.ofSeconds(5)), sayHello.timeout());
    assertTrue(sayHello.idempotent());
    assertEquals("text", GreeterMqtt.Method.SHOUT.body());
    assertEquals(OptionalInt.of(0), GreeterMqtt.Method.COUNTDOWN.qos());
    assertFalse(GreeterMqtt.Method.PLAIN.hasTopicTemplate());
    assertEquals("grpc/acme.greeter.v1.Greeter/Plain", GreeterMqtt.Method.PLAIN.topicTemplate());
    assertEquals(List.of(MethodType.UNARY, MethodType.UNARY, MethodType.SERVER_STREAMING,
            MethodType.CLIENT_STREAMING, MethodType.BIDI_STREAMING, MethodType.UNARY),
        Stream.of(GreeterMqtt.Method.values()).map(GreeterMqtt.Method::type).toList());
  }

  @Test
  void constantsAgreeWithTheTableTheRuntimeCompiles() {
    for (GreeterMqtt.Method m : GreeterMqtt.Method.values()) {
      assertEquals(m.topicTemplate(), m.mapping().requestTemplate().toString());
      assertEquals(m.subscriptionFilter(), m.mapping().subscriptionFilter());
      assertEquals(m.qos(), m.mapping().qos());
      assertEquals(m.timeout(), m.mapping().timeout());
    }
    assertSame(GreeterMqtt.getServiceDescriptor(),
        GreeterMqtt.methodTable().services().get(0).descriptor());
  }

  @Test
  void typedTopicHelpersExpandTemplatesFromRequests() {
    HelloRequest request =
        HelloRequest.newBuilder().setName("ada").setGreeting("good/morning").setTimes(3).build();

    assertEquals("greeters/ada/hello", GreeterMqtt.sayHelloTopic(request));
    assertEquals("greeters/ada/shout/good/morning", GreeterMqtt.shoutTopic(request));
    assertEquals("countdown/3", GreeterMqtt.countdownTopic(request));
    TemplateException e = assertThrows(TemplateException.class,
        () -> GreeterMqtt.sayHelloTopic(HelloRequest.getDefaultInstance()));
    assertEquals("cannot expand topic template \"greeters/{name}/hello\": field 'name' is empty"
        + " and is bound to the topic", e.getMessage());
  }

  @Test
  void clashingNamesGetClashFreeGeneratedNames() {
    Method request = Method.newBuilder().setDeviceId("d7").setName("reboot")
        .setArgs(ByteString.copyFromUtf8("now")).build();

    assertEquals("devices/d7/Method", DevicesMqtt2.methodTopic(request));
    assertEquals("devices/d7/invoke/reboot", DevicesMqtt2.invokeTopic(request));
    assertEquals("device-workers",
        DevicesMqtt2.Method.INVOKE.mapping().service().sharedSubscriptionGroup().orElseThrow());
    assertEquals("acme.greeter.v1.nested.Greeter/SayHello",
        acme.greeter.v1.nested.GreeterMqtt.Method.SAY_HELLO.fullMethodName());
    assertEquals("grpc/acme.greeter.v1.nested.Greeter/+",
        acme.greeter.v1.nested.GreeterMqtt.Method.ECHO.subscriptionFilter());
  }
}
