package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpc.ServerServiceDefinition;
import io.grpcmqtt.test.v1.MappedServiceGrpc;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.annotation.Nullable;
import org.junit.jupiter.api.Test;

class RequestRoutesTest {
  private static final ServerServiceDefinition PLAIN =
      TestServiceGrpc.bindService(new TestServiceGrpc.AsyncService() {});
  private static final ServerServiceDefinition MAPPED =
      MappedServiceGrpc.bindService(new MappedServiceGrpc.AsyncService() {});

  /** The MQTT 5 request filters and their QoS, in the order subscribed. */
  private static Map<String, Integer> subscriptions(
      RequestRoutes routes, @Nullable String sharedGroup, int qos) {
    Map<String, Integer> filters = new LinkedHashMap<>();
    for (RequestRoutes.RequestFilter f
        : routes.filters(sharedGroup, qos, UnaryOperator.identity())) {
      filters.put(f.filter, f.qos);
    }
    return filters;
  }

  @Test
  void servicesWithoutOptionsKeepExactlyThePinnedSubscription() {
    RequestRoutes routes = routes("grpc", List.of(PLAIN), List.of("x.Fallback"));

    assertEquals(Map.of("$share/grpc-mqtt/grpc/grpcmqtt.test.v1.TestService/+", 1,
            "$share/grpc-mqtt/grpc/x.Fallback/+", 1),
        subscriptions(routes, "grpc-mqtt", 1));
    assertEquals("grpcmqtt.test.v1.TestService/Unary",
        routes.route("grpc/grpcmqtt.test.v1.TestService/Unary").fullMethodName);
    assertEquals("grpcmqtt.test.v1.TestService/Nope",
        routes.route("grpc/grpcmqtt.test.v1.TestService/Nope").fullMethodName,
        "unknown methods still reach gRPC, which answers UNIMPLEMENTED");
  }

  @Test
  void templatedMethodsAddTheirFiltersInTheServicesGroupWithTheirQos() {
    RequestRoutes routes = routes("p", List.of(MAPPED), List.of());
    Map<String, Integer> expected = new LinkedHashMap<>();
    expected.put("$share/mapped-workers/p/grpcmqtt.test.v1.MappedService/+", 1);
    expected.put("$share/mapped-workers/things/+/+", 1);
    expected.put("$share/mapped-workers/things/+/+/put/#", 1);
    expected.put("$share/mapped-workers/notes/+", 0);
    expected.put("$share/mapped-workers/watch/+", 1);
    expected.put("$share/mapped-workers/uploads", 1);
    expected.put("$share/mapped-workers/chats", 1);

    assertEquals(List.copyOf(expected.entrySet()),
        List.copyOf(subscriptions(routes, "grpc-mqtt", 1).entrySet()));
    assertEquals(List.of("p/grpcmqtt.test.v1.MappedService/+", "things/+/+"),
        List.copyOf(subscriptions(routes, null, 1).keySet()).subList(0, 2),
        "no sharing when the server switched it off, whatever the options say");
  }

  @Test
  void routesTemplatedAndDefaultTopicsAndNothingElse() {
    RequestRoutes routes = routes("p", List.of(MAPPED), List.of());

    assertEquals("grpcmqtt.test.v1.MappedService/Put",
        routes.route("things/a/1/put/x").fullMethodName);
    assertEquals("grpcmqtt.test.v1.MappedService/Get",
        routes.route("p/grpcmqtt.test.v1.MappedService/Get").fullMethodName);
    assertNull(routes.route("things/a"));
    assertNull(routes.route("p/_cancel"));
  }

  @Test
  void saysWhichTemplateRefusedATopicItsFilterReceived() {
    RequestRoutes routes = routes("p", List.of(MAPPED), List.of());
    assertNull(routes.route("things/a/1/put/"));
    RequestRoutes.Mismatch m = routes.mismatch("things/a/1/put/");
    assertEquals("grpcmqtt.test.v1.MappedService/Put", m.fullMethodName());
    assertEquals("topic 'things/a/1/put/' does not fit the topic template 'things/{site}/{id}/put/{path=**}'"
        + " of grpcmqtt.test.v1.MappedService/Put: level 5 is empty", m.reason());
    assertNull(routes.mismatch("p/_cancel"), "no template's filter takes it");
    assertNull(routes.mismatch("elsewhere/x"));
  }

  private static RequestRoutes routes(
      String prefix, List<ServerServiceDefinition> services, List<String> fallback) {
    return MethodRegistry.of(services, fallback, prefix).routes();
  }
}
