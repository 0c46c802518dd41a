package io.grpcmqtt.internal;

import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpcmqtt.mapper.mqtt311.Mqtt311Topics;
import io.grpcmqtt.mapper.table.MappedMethod;
import io.grpcmqtt.mapper.table.MethodTable;
import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttMessageHandler;
import io.grpcmqtt.mqtt.MqttTopics;
import io.grpcmqtt.mqtt.MqttUserProperty;
import io.grpcmqtt.mqtt.SplitTopicMatcher;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The public seam's cost per PUBLISH (docs/architecture.md §5): a unary request turned into an
 * {@link MqttMessage} and read back for the client library ({@code send*}), a received one made
 * an {@link MqttMessage} and read back for {@code Frame.decode} ({@code receive*}), a received
 * reply topic matched against a channel's filters ({@code match*}), and a received request handed
 * by a server's {@link SubscriptionTable} to its handler, which finds the route and the method's
 * registry entry ({@code dispatch*}). Each {@code *Before} does what the runtime did before
 * (copies through the public API, the strings checked twice, {@code String.split}; one handler
 * for every filter that tells the kind of topic again and routes route → registry → route), for
 * comparison in the same run. Run with {@link Microbenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SeamBenchmark {
  @Param({"64", "16384"})
  public int payloadBytes;

  private static final String TOPIC = "grpc/grpcmqtt.bench.v1.Bench/Echo";
  private static final String REPLY = "grpc/_reply/grpcmqttc3cayjzpvnyo8g7";
  private static final String DISPATCHED = "grpc/grpcmqtt.test.v1.TestService/Unary";
  private static final List<String> FILTERS = List.of("grpc/_inbox/grpcmqttc3cayjzpvnyo8g7/#",
      "grpc/_status/server/+", REPLY);
  private byte[] payload;
  private final byte[] correlation = {0, 0, 0, 0, 0, 0, 0, 42};
  private PublishProperties properties;
  private MqttMessage received;
  /** A server's subscriptions as it makes them now: a handler per filter. */
  private SubscriptionTable dispatchNow;
  /** The same filters, every one with the one handler the server had before. */
  private SubscriptionTable dispatchBefore;
  private MqttDelivery request;
  private MethodRegistry.Entry dispatched;

  @Setup
  public void setUp() {
    payload = new byte[payloadBytes];
    properties = Publishes.properties(REPLY, correlation, null,
        Publishes.single("grpc-timeout", "9897766u"));
    properties.setMessageExpiryInterval(10L);
    received = ReceivedMessages.of(TOPIC, payload, 1, false, REPLY, correlation, null, 10L,
        List.of(new MqttUserProperty("grpc-timeout", "9897766u")));
    setUpDispatch();
  }

  private void setUpDispatch() {
    List<ServerServiceDefinition> services =
        List.of(TestServiceGrpc.bindService(new TestServiceGrpc.AsyncService() {}));
    MethodRegistry registry = MethodRegistry.of(services, List.of(), "grpc");
    Topics topics = new Topics("grpc");
    Mqtt311Topics mqtt311 = new Mqtt311Topics("grpc");
    dispatchNow = new SubscriptionTable(false);
    dispatchNow.add(topics.inbox("s1"), 1, d -> {});
    dispatchNow.add(topics.cancel(), 1, d -> {});
    dispatchNow.add(topics.clientStatusFilter(), 1, d -> {});
    for (RequestRoutes.RequestFilter f
        : registry.routes().filters("grpc-mqtt", 1, UnaryOperator.identity())) {
      dispatchNow.add(f.filter, f.qos, d -> {
        String topic = d.message().topic();
        dispatched = f.route(topic).entry(topic, null);
      });
    }
    for (RequestRoutes.RequestFilter f
        : registry.routes().filters("grpc-mqtt", 1, mqtt311::requestFilter)) {
      dispatchNow.add(f.filter, f.qos, d -> {});
    }
    // Before: RequestRoutes.route made a RequestRoute from MethodTable.route's result, the parser
    // looked the entry up by name, then asked the route for it again.
    MethodTable table = MethodTable.build("grpc",
        List.of(io.grpcmqtt.test.v1.TestServiceOuterClass.getDescriptor().getServices().get(0)));
    Map<String, MethodRegistry.Entry> entries = new HashMap<>();
    for (ServerMethodDefinition<?, ?> m : services.get(0).getMethods()) {
      entries.put(m.getMethodDescriptor().getFullMethodName(),
          new MethodRegistry.Entry(m.getMethodDescriptor()));
    }
    MqttMessageHandler transport = d -> {
      String topic = d.message().topic();
      if (topics.isInbox(topic) || topic.equals(topics.cancel())
          || topics.clientOfStatus(topic) != null || mqtt311.isRequest(topic)) {
        return;
      }
      Optional<MethodTable.Route> route = table.route(topic);
      String name = route.isPresent() ? route.get().method().fullMethodName()
          : topics.methodOf(topic);
      RouteBefore before = new RouteBefore(name, route.isPresent() && route.get().onTemplate()
          ? route.get().method() : null, topic);
      dispatched = before.entry(entries.get(before.fullMethodName));
    };
    dispatchBefore = new SubscriptionTable(false);
    dispatchBefore.add(topics.inbox("s1"), 1, transport);
    dispatchBefore.add(topics.cancel(), 1, transport);
    dispatchBefore.add(topics.clientStatusFilter(), 1, transport);
    for (RequestRoutes.RequestFilter f
        : registry.routes().filters("grpc-mqtt", 1, UnaryOperator.identity())) {
      dispatchBefore.add(f.filter, f.qos, transport);
    }
    for (RequestRoutes.RequestFilter f
        : registry.routes().filters("grpc-mqtt", 1, mqtt311::requestFilter)) {
      dispatchBefore.add(f.filter, f.qos, transport);
    }
    MqttMessage message = ReceivedMessages.of(DISPATCHED, payload, 1, false, REPLY, correlation,
        null, 10L, List.of());
    request = new MqttDelivery() {
      @Override
      public MqttMessage message() {
        return message;
      }

      @Override
      public void acknowledge() {}
    };
  }

  /** The per-request route of before: made for each request, the entry looked up by name. */
  private record RouteBefore(String fullMethodName, MappedMethod templated, String topic) {
    MethodRegistry.Entry entry(MethodRegistry.Entry entry) {
      if (entry == null || templated == null) {
        return entry;
      }
      return entry.withTopicFields(new TopicFields(templated, topic, false));
    }
  }

  @Benchmark
  public Object dispatchBefore() {
    dispatchBefore.deliver(request);
    return dispatched;
  }

  @Benchmark
  public Object dispatchNow() {
    dispatchNow.deliver(request);
    return dispatched;
  }

  @Benchmark
  public int sendBefore() {
    if (MqttStringsBefore.findRefused(TOPIC, properties) != null) {
      throw new AssertionError();
    }
    MqttMessage m = MqttMessage.builder(TOPIC).payload(payload).qos(1)
        .responseTopic(properties.getResponseTopic())
        .correlationData(properties.getCorrelationData())
        .messageExpirySeconds(properties.getMessageExpiryInterval())
        .userProperties(properties.getUserProperties()).build();
    return m.payload().length + m.correlationData().length;
  }

  @Benchmark
  public int sendNow() {
    MqttMessage m = MqttMessageAccess.builder(TOPIC, payload, properties.getCorrelationData())
        .qos(1)
        .responseTopic(properties.getResponseTopic())
        .messageExpirySeconds(properties.getMessageExpiryInterval())
        .userProperties(properties.getUserProperties()).build();
    return MqttMessageAccess.payload(m).length + MqttMessageAccess.correlationData(m).length;
  }

  @Benchmark
  public int receiveBefore() {
    MqttMessage m = MqttMessage.builder(TOPIC).payload(payload).qos(1).responseTopic(REPLY)
        .correlationData(correlation).messageExpirySeconds(10L)
        .userProperties(received.userProperties()).build();
    return m.payload().length + m.correlationData().length;
  }

  @Benchmark
  public int receiveNow() {
    MqttMessage m = ReceivedMessages.of(TOPIC, payload, 1, false, REPLY, correlation, null, 10L,
        received.userProperties());
    return MqttMessageAccess.payload(m).length + MqttMessageAccess.correlationData(m).length;
  }

  @Benchmark
  public boolean matchBefore() {
    for (String f : FILTERS) {
      if (SplitTopicMatcher.matches(f, REPLY)) {
        return true;
      }
    }
    return false;
  }

  @Benchmark
  public boolean matchNow() {
    for (String f : FILTERS) {
      if (MqttTopics.matches(f, REPLY)) {
        return true;
      }
    }
    return false;
  }

  /** The check TransportConnection.publish made before MqttMessage.Builder.build(). */
  private static final class MqttStringsBefore {
    static String findRefused(String topic, PublishProperties p) {
      if (!MqttStrings.isClean(topic) || !MqttStrings.isClean(p.getResponseTopic())
          || !MqttStrings.isClean(p.getContentType())) {
        return "string";
      }
      for (MqttUserProperty u : p.getUserProperties()) {
        if (!MqttStrings.isClean(u.name()) || !MqttStrings.isClean(u.value())) {
          return "user property";
        }
      }
      return null;
    }
  }
}
