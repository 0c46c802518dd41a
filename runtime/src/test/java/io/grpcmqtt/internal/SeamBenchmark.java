package io.grpcmqtt.internal;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpcmqtt.mapper.mqtt311.Mqtt311Topics;
import io.grpcmqtt.mapper.table.MappedMethod;
import io.grpcmqtt.mapper.table.MethodTable;
import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttMessageHandler;
import io.grpcmqtt.mqtt.MqttPublishResult;
import io.grpcmqtt.mqtt.MqttTopics;
import io.grpcmqtt.mqtt.MqttUserProperty;
import io.grpcmqtt.mqtt.SplitTopicMatcher;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * The public seam's cost per PUBLISH (docs/architecture.md §5): a unary request turned into an
 * {@link MqttMessage} and read back for the client library ({@code send*}), a received one made
 * an {@link MqttMessage} and read back for {@code Frame.decode} ({@code receive*}), a received
 * reply topic matched against a channel's filters ({@code match*}), a received request handed by
 * a server's {@link SubscriptionTable} to its handler, which finds the route and the method's
 * registry entry ({@code dispatch*}); and the client libraries' side: a message handed to Paho
 * and its PUBACK ({@code pahoPublish*}: translation and the window's bookkeeping, not Paho's own
 * work), and a message each library received made a delivery ({@code pahoReceive*},
 * {@code hivemqReceive*}). Each {@code *Before} does what the runtime did before issue 18's perf
 * round (copies through the public API, the strings checked twice, {@code String.split}; one
 * handler for every filter that tells the kind of topic again and routes route → registry →
 * route; Paho behind two classes), for
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
  private MqttMessage outgoing;
  private org.eclipse.paho.mqttv5.common.MqttMessage pahoReceived;
  private Mqtt5Publish hivemqReceived;
  private final Object lock = new Object();
  private final PahoPublishWindow window = new PahoPublishWindow();
  private final ArrayDeque<PahoBefore.Pending> queueBefore = new ArrayDeque<>();
  private int inFlight;
  private int generation = 1;

  @Setup
  public void setUp() {
    payload = new byte[payloadBytes];
    properties = Publishes.properties(REPLY, correlation, null,
        Publishes.single("grpc-timeout", "9897766u"));
    properties.setMessageExpiryInterval(10L);
    received = ReceivedMessages.of(TOPIC, payload, 1, false, REPLY, correlation, null, 10L,
        List.of(new MqttUserProperty("grpc-timeout", "9897766u")));
    setUpDispatch();
    outgoing = MqttMessageAccess.builder(TOPIC, payload, correlation).qos(1).responseTopic(REPLY)
        .messageExpirySeconds(10L).userProperties(received.userProperties()).build();
    pahoReceived = new org.eclipse.paho.mqttv5.common.MqttMessage(payload);
    pahoReceived.setQos(1);
    pahoReceived.setProperties(PahoMessages.properties(outgoing));
    hivemqReceived = Mqtt5Publish.builder().topic(TOPIC).qos(MqttQos.AT_LEAST_ONCE).payload(payload)
        .responseTopic(REPLY).correlationData(correlation).messageExpiryInterval(10)
        .userProperties().add("grpc-timeout", "9897766u").applyUserProperties().build();
    window.opened(65_535);
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

  @Benchmark
  public int pahoPublishBefore() {
    CompletableFuture<MqttPublishResult> result = new CompletableFuture<>();
    PahoBefore.Pending p = new PahoBefore.Pending(outgoing.topic(),
        MqttMessageAccess.payload(outgoing), outgoing.qos(), outgoing.retain(),
        PahoBefore.toPaho(outgoing), PahoBefore.callback(result));
    org.eclipse.paho.mqttv5.common.MqttMessage m;
    synchronized (lock) {
      queueBefore.add(p);
      PahoBefore.Pending next = queueBefore.poll();
      next.generation = generation;
      inFlight++;
      m = next.toMessage();
    }
    // The PUBACK: the slot freed under the lock, then the drain under it again.
    synchronized (lock) {
      if (p.generation == generation) {
        inFlight--;
      }
    }
    synchronized (lock) {
      queueBefore.peek();
    }
    p.callback.published(0);
    return m.getPayload().length + result.join().reasonCode();
  }

  @Benchmark
  public int pahoPublishNow() {
    CompletableFuture<MqttPublishResult> result = new CompletableFuture<>();
    PahoPublishWindow.Pending p = new PahoPublishWindow.Pending(outgoing.topic(),
        MqttMessageAccess.payload(outgoing), outgoing.qos(), outgoing.retain(),
        PahoMessages.properties(outgoing), TransportConnection.completing(result));
    org.eclipse.paho.mqttv5.common.MqttMessage m;
    synchronized (lock) {
      window.add(p);
      PahoPublishWindow.Pending next = window.next();
      next.generation = generation;
      m = next.toPaho();
    }
    synchronized (lock) {
      if (p.generation == generation) {
        window.release(p);
      }
      window.next();
    }
    p.callback.published(0);
    return m.getPayload().length + result.join().reasonCode();
  }

  @Benchmark
  public Object pahoReceiveBefore() {
    int g;
    synchronized (lock) {
      g = generation;
    }
    PahoBefore.Delivery d = new PahoBefore.Delivery(
        PahoBefore.fromPaho(TOPIC, pahoReceived), pahoReceived.getId(), pahoReceived.getQos(), g);
    return d; // escapes, as a delivery handed to its handler does
  }

  @Benchmark
  public Object pahoReceiveNow() {
    PahoMqttConnection.Delivery d = new PahoMqttConnection.Delivery(null,
        PahoMessages.received(TOPIC, pahoReceived), pahoReceived.getId(), pahoReceived.getQos(),
        generation);
    return d;
  }

  @Benchmark
  public Object hivemqReceiveBefore() {
    Mqtt5Publish publish = hivemqReceived;
    List<MqttUserProperty> user = new ArrayList<>();
    for (Mqtt5UserProperty u : publish.getUserProperties().asList()) {
      user.add(new MqttUserProperty(u.getName().toString(), u.getValue().toString()));
    }
    MqttMessage message = ReceivedMessages.of(
        publish.getTopic().toString(),
        publish.getPayloadAsBytes(),
        publish.getQos().getCode(),
        publish.isRetain(),
        publish.getResponseTopic().map(Object::toString).orElse(null),
        publish.getCorrelationData().map(b -> {
          byte[] bytes = new byte[b.remaining()];
          b.duplicate().get(bytes);
          return bytes;
        }).orElse(null),
        publish.getContentType().map(Object::toString).orElse(null),
        publish.getMessageExpiryInterval().isPresent()
            ? publish.getMessageExpiryInterval().getAsLong() : null,
        user);
    return new PahoBefore.Delivery(message, 0, 1, 0); // a delivery with its own AtomicBoolean, as before
  }

  @Benchmark
  public Object hivemqReceiveNow() {
    return new HiveMqttConnection.Delivery(null, HiveMqttConnection.received(hivemqReceived),
        hivemqReceived);
  }

  /** What PahoClient and PahoMqttConnection made per message before they were one layer. */
  private static final class PahoBefore {
    interface Callback {
      void published(int reasonCode);

      void failed(Throwable cause);
    }

    static Callback callback(CompletableFuture<MqttPublishResult> result) {
      return new Callback() {
        @Override
        public void published(int reasonCode) {
          result.complete(new MqttPublishResult(reasonCode));
        }

        @Override
        public void failed(Throwable cause) {
          result.completeExceptionally(cause);
        }
      };
    }

    static final class Pending {
      final String topic;
      final byte[] payload;
      final int qos;
      final boolean retained;
      final MqttProperties properties;
      final Callback callback;
      int generation;

      Pending(String topic, byte[] payload, int qos, boolean retained, MqttProperties properties,
          Callback callback) {
        this.topic = topic;
        this.payload = payload;
        this.qos = qos;
        this.retained = retained;
        this.properties = properties;
        this.callback = callback;
      }

      org.eclipse.paho.mqttv5.common.MqttMessage toMessage() {
        org.eclipse.paho.mqttv5.common.MqttMessage m =
            new org.eclipse.paho.mqttv5.common.MqttMessage(payload);
        m.setQos(qos);
        m.setRetained(retained);
        m.setProperties(properties);
        return m;
      }
    }

    static final class Delivery {
      final MqttMessage message;
      final int id;
      final int qos;
      final int generation;
      final java.util.concurrent.atomic.AtomicBoolean acknowledged =
          new java.util.concurrent.atomic.AtomicBoolean();

      Delivery(MqttMessage message, int id, int qos, int generation) {
        this.message = message;
        this.id = id;
        this.qos = qos;
        this.generation = generation;
      }
    }

    static MqttProperties toPaho(MqttMessage m) {
      MqttProperties p = new MqttProperties();
      if (m.responseTopic() != null) {
        p.setResponseTopic(m.responseTopic());
      }
      byte[] correlation = MqttMessageAccess.correlationData(m);
      if (correlation != null) {
        p.setCorrelationData(correlation);
      }
      if (m.contentType() != null) {
        p.setContentType(m.contentType());
      }
      if (m.messageExpirySeconds() != null) {
        p.setMessageExpiryInterval(m.messageExpirySeconds());
      }
      if (!m.userProperties().isEmpty()) {
        List<UserProperty> user = new ArrayList<>(m.userProperties().size());
        for (MqttUserProperty u : m.userProperties()) {
          user.add(new UserProperty(u.name(), u.value()));
        }
        p.setUserProperties(user);
      }
      return p;
    }

    static MqttMessage fromPaho(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) {
      MqttProperties p = m.getProperties();
      List<UserProperty> received = p == null ? null : p.getUserProperties();
      List<MqttUserProperty> user = new ArrayList<>(received == null ? 0 : received.size());
      if (received != null) {
        for (UserProperty u : received) {
          user.add(new MqttUserProperty(u.getKey(), u.getValue()));
        }
      }
      return ReceivedMessages.of(topic, m.getPayload(), m.getQos(), m.isRetained(),
          p == null ? null : p.getResponseTopic(), p == null ? null : p.getCorrelationData(),
          p == null ? null : p.getContentType(), p == null ? null : p.getMessageExpiryInterval(),
          user);
    }
  }

  /** The check the runtime made before MqttMessage.Builder.build() (now Publishes.message's only). */
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
