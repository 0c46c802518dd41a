package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.grpc.ServerServiceDefinition;
import io.grpcmqtt.mapper.mqtt311.Mqtt311Topics;
import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttTopics;
import io.grpcmqtt.test.v1.MappedServiceGrpc;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A received topic meets a server's subscriptions once: the first filter that matches (in the
 * order the server subscribes: inbox, cancel, client statuses, the MQTT 5 request filters, then
 * the MQTT 3.1.1 binding's) takes it, and a request filter routes it to its method with no
 * second look at what kind of topic it is.
 */
class RequestDispatchTest {
  private static final String PREFIX = "p";
  private static final String MAPPED = "grpcmqtt.test.v1.MappedService";
  private static final String PLAIN = "grpcmqtt.test.v1.TestService";
  private static final List<ServerServiceDefinition> SERVICES = List.of(
      MappedServiceGrpc.bindService(new MappedServiceGrpc.AsyncService() {}),
      TestServiceGrpc.bindService(new TestServiceGrpc.AsyncService() {}));
  private static final MethodRegistry REGISTRY =
      MethodRegistry.of(SERVICES, List.of("x.Fallback"), PREFIX);

  /** What a handler made of a message: its kind, the filter that took it, the route it found. */
  private record Dispatched(
      String kind, String filter, @Nullable String method, boolean onTemplate) {}

  private static Stream<Arguments> topics() {
    return Stream.of(
        // control topics: their own handlers
        dispatch("p/_server/s1", "inbox", "p/_server/s1", null, false),
        dispatch("p/_cancel", "cancel", "p/_cancel", null, false),
        dispatch("p/_status/client/c1", "client status", "p/_status/client/+", null, false),
        // MQTT 5 requests, shared in the service's group or the server's
        dispatch("p/" + MAPPED + "/Get", "request",
            "$share/mapped-workers/p/" + MAPPED + "/+", MAPPED + "/Get", false),
        dispatch("p/" + MAPPED + "/Nope", "request",
            "$share/mapped-workers/p/" + MAPPED + "/+", MAPPED + "/Nope", false),
        dispatch("p/" + PLAIN + "/Unary", "request",
            "$share/g/p/" + PLAIN + "/+", PLAIN + "/Unary", false),
        dispatch("p/x.Fallback/Any", "request", "$share/g/p/x.Fallback/+", "x.Fallback/Any", false),
        dispatch("things/a/1", "request",
            "$share/mapped-workers/things/+/+", MAPPED + "/Get", true),
        dispatch("things/a/1/put/x/y", "request",
            "$share/mapped-workers/things/+/+/put/#", MAPPED + "/Put", true),
        // '#' also takes the parent level, which the template refuses: no route (a Mismatch)
        dispatch("things/a/1/put", "request",
            "$share/mapped-workers/things/+/+/put/#", null, false),
        dispatch("uploads", "request", "$share/mapped-workers/uploads", MAPPED + "/Upload", true),
        // MQTT 3.1.1 requests: the binding's filter, routed by the request topic inside
        dispatch("p/_311/req/dev/1/-/p/" + PLAIN + "/Unary", "mqtt311",
            "$share/g/p/_311/req/+/+/+/p/" + PLAIN + "/+", PLAIN + "/Unary", false),
        dispatch("p/_311/req/dev/2/json/things/a/1", "mqtt311",
            "$share/mapped-workers/p/_311/req/+/+/+/things/+/+", MAPPED + "/Get", true),
        // nobody's: acknowledged and dropped by the table, no handler runs
        dispatch("p/_server/s2", null, null, null, false),
        dispatch("p/_status/server/s1", null, null, null, false),
        dispatch("p/" + PLAIN + "/Unary/extra", null, null, null, false),
        dispatch("elsewhere", null, null, null, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("topics")
  void eachTopicReachesTheHandlerOfItsKindOnce(String topic, @Nullable Dispatched expected) {
    List<Dispatched> got = new ArrayList<>();
    SubscriptionTable table = serverSubscriptions("g", got);

    table.deliver(delivery(topic));

    assertEquals(expected == null ? List.of() : List.of(expected), got);
  }

  @Test
  void withoutSharingTheFiltersAreBareAndRouteAlike() {
    List<Dispatched> got = new ArrayList<>();
    SubscriptionTable table = serverSubscriptions(null, got);

    table.deliver(delivery("things/a/1"));
    table.deliver(delivery("p/_311/req/dev/1/-/p/" + PLAIN + "/Unary"));

    assertEquals(List.of(
        new Dispatched("request", "things/+/+", MAPPED + "/Get", true),
        new Dispatched("mqtt311", "p/_311/req/+/+/+/p/" + PLAIN + "/+", PLAIN + "/Unary", false)),
        got);
  }

  @Test
  void aRouteHoldsItsMethodsEntryFoundOnceForEveryRequest() {
    RequestRoutes routes = REGISTRY.routes();
    RequestRoute first = routes.route("p/" + PLAIN + "/Unary");
    RequestRoute again = routes.route("p/" + PLAIN + "/Unary");

    assertSame(first, again, "made once, when the server was built");
    assertNotNull(first.entry());
    assertEquals(PLAIN + "/Unary", first.entry().method.getFullMethodName());
    assertSame(routes.route("p/" + MAPPED + "/Get").entry(), routes.route("things/a/1").entry(),
        "the default topic and the template share the method's entry");
    assertNull(routes.route("p/x.Fallback/Any").entry(),
        "a fallback registry's method: gRPC looks it up itself");
    assertNull(routes.route("p/" + PLAIN + "/Nope").entry());
  }

  @Test
  void eachFilterRoutesWhatItReceivesAsTheWholeTableWould() {
    RequestRoutes routes = REGISTRY.routes();
    List<String> topics = List.of("things/a/1", "things/a/1/put/x", "things/a/1/put", "notes/a",
        "watch/a", "uploads", "chats", "p/" + MAPPED + "/Get", "p/" + MAPPED + "/Nope",
        "p/" + PLAIN + "/Bidi", "p/x.Fallback/Any", "things/a");
    int checked = 0;
    for (RequestRoutes.RequestFilter f : routes.filters("g", 1, UnaryOperator.identity())) {
      for (String topic : topics) {
        if (!MqttTopics.matches(f.filter, topic)) {
          continue;
        }
        RequestRoute mine = f.route(topic);
        RequestRoute table = routes.route(topic);
        assertEquals(table == null, mine == null, f + " on " + topic);
        if (mine != null) {
          assertEquals(table.fullMethodName, mine.fullMethodName, f + " on " + topic);
          assertEquals(table.onTemplate(), mine.onTemplate(), f + " on " + topic);
          assertSame(table.entry(), mine.entry(), f + " on " + topic);
        }
        checked++;
      }
    }
    assertEquals(topics.size() - 1, checked, "every topic but 'things/a' has one filter");
  }

  /** The server's subscriptions, in the order {@link MqttServerTransport} makes them. */
  private static SubscriptionTable serverSubscriptions(
      @Nullable String group, List<Dispatched> got) {
    Topics topics = new Topics(PREFIX);
    Mqtt311Topics mqtt311 = new Mqtt311Topics(PREFIX);
    SubscriptionTable table = new SubscriptionTable(false);
    table.add(topics.inbox("s1"), 1, d -> got.add(control("inbox", topics.inbox("s1"))));
    table.add(topics.cancel(), 1, d -> got.add(control("cancel", topics.cancel())));
    table.add(topics.clientStatusFilter(), 1,
        d -> got.add(control("client status", topics.clientStatusFilter())));
    RequestRoutes routes = REGISTRY.routes();
    for (RequestRoutes.RequestFilter f : routes.filters(group, 1, UnaryOperator.identity())) {
      table.add(f.filter, f.qos, d -> got.add(routed("request", f, d.message().topic())));
    }
    for (RequestRoutes.RequestFilter f : routes.filters(group, 1, mqtt311::requestFilter)) {
      table.add(f.filter, f.qos, d -> got.add(
          routed("mqtt311", f, mqtt311.parse(d.message().topic()).requestTopic())));
    }
    return table;
  }

  private static Dispatched control(String kind, String filter) {
    return new Dispatched(kind, filter, null, false);
  }

  private static Dispatched routed(String kind, RequestRoutes.RequestFilter f, String topic) {
    RequestRoute route = f.route(topic);
    if (route == null) {
      return new Dispatched(kind, f.filter, null, false);
    }
    return new Dispatched(kind, f.filter, route.fullMethodName, route.onTemplate());
  }

  private static Arguments dispatch(String topic, @Nullable String kind, @Nullable String filter,
      @Nullable String method, boolean onTemplate) {
    return Arguments.of(topic, kind == null ? null : new Dispatched(kind, filter, method, onTemplate));
  }

  private static MqttDelivery delivery(String topic) {
    return SubscriptionTableTest.delivery(topic, () -> {});
  }
}
