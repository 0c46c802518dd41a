package io.grpcmqtt.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpcmqtt.gateway.v1.AckRequest;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import io.grpcmqtt.gateway.v1.ReceiveResponse;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.testing.Brokers;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The queue's semantics with generated stubs, over gRPC on MQTT (the real runtime, embedded HiveMQ)
 * and over plain HTTP/2 gRPC, against both stores: FIFO, limits, leases and redelivery,
 * acknowledgement, long polling, streams.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewaySemanticsTest {
  private static final AttributeKey<String> GRPC_METHOD = AttributeKey.stringKey("grpc.method");
  private static final AttributeKey<String> GRPC_STATUS = AttributeKey.stringKey("grpc.status");
  /** One Gateway per store for the tests that leave it running; each test uses topics of its own. */
  private final Map<String, TestGateway> shared = new HashMap<>();
  private final List<StoreKind.Location> locations = new ArrayList<>();
  private TestGateway own;

  private TestGateway gateway(StoreKind kind, Transport transport) {
    return shared.computeIfAbsent(kind + "/" + transport,
        k -> new TestGateway(Brokers.hivemq(), location(kind), transport));
  }

  /** A Gateway for this test alone (it is restarted, or its client is declared dead). */
  private TestGateway ownGateway(StoreKind kind, Transport transport) {
    own = new TestGateway(Brokers.hivemq(), location(kind), transport);
    return own;
  }

  private StoreKind.Location location(StoreKind kind) {
    StoreKind.Location location = kind.newLocation();
    locations.add(location);
    return location;
  }

  @AfterEach
  void closeOwn() {
    if (own != null) {
      own.close();
      own = null;
    }
  }

  @AfterAll
  void closeShared() {
    shared.values().forEach(TestGateway::close);
    locations.forEach(StoreKind.Location::close);
  }

  static String send(TestGateway gw, String topic, String payload) {
    return gw.blocking().send(SendRequest.newBuilder().setTopic(topic)
        .setPayload(ByteString.copyFromUtf8(payload)).build()).getMsgId();
  }

  static List<Message> receive(TestGateway gw, String topic, int limit, int maxWaitMs, int visibilityMs) {
    return gw.blocking().receive(ReceiveRequest.newBuilder().setTopic(topic).setLimit(limit)
        .setMaxWaitMs(maxWaitMs).setVisibilityTimeoutMs(visibilityMs).build()).getMessagesList();
  }

  static void ack(TestGateway gw, String topic, String msgId) {
    gw.blocking().ack(AckRequest.newBuilder().setTopic(topic).setMsgId(msgId).build());
  }

  static List<String> payloads(List<Message> messages) {
    return messages.stream().map(m -> m.getPayload().toStringUtf8()).toList();
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void receiveReturnsWhatWasSentInOrderWithItsMetadata(StoreKind kind, Transport transport) {
    TestGateway gw = gateway(kind, transport);
    String topic = gw.topic("fifo");
    long before = System.currentTimeMillis();
    String first = gw.blocking().send(SendRequest.newBuilder().setTopic(topic)
        .setPayload(ByteString.copyFromUtf8("m0")).putHeaders("unit", "C").build()).getMsgId();
    for (int i = 1; i < 5; i++) {
      send(gw, topic, "m" + i);
    }
    List<Message> got = receive(gw, topic, 10, 0, 0);
    assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), payloads(got));
    Message m0 = got.get(0);
    assertEquals(first, m0.getMsgId());
    assertEquals(topic, m0.getTopic());
    assertEquals("C", m0.getHeadersMap().get("unit"));
    assertEquals(1, m0.getDeliveryCount());
    assertTrue(m0.getTimestampMs() >= before - 1000 && m0.getTimestampMs() <= System.currentTimeMillis() + 1000);
    assertEquals(5, got.stream().map(Message::getMsgId).distinct().count());
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void limitBoundsEachAnswerAndFifoContinuesAcrossReceives(StoreKind kind, Transport transport) {
    TestGateway gw = gateway(kind, transport);
    String topic = gw.topic("limit");
    for (int i = 0; i < 7; i++) {
      send(gw, topic, "m" + i);
    }
    assertEquals(List.of("m0", "m1", "m2"), payloads(receive(gw, topic, 3, 0, 0)));
    assertEquals(List.of("m3", "m4", "m5"), payloads(receive(gw, topic, 3, 0, 0)));
    assertEquals(List.of("m6"), payloads(receive(gw, topic, 3, 0, 0)));
    assertEquals(List.of(), receive(gw, topic, 3, 0, 0));
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void queuesOfDifferentTopicsAreIndependent(StoreKind kind, Transport transport) {
    TestGateway gw = gateway(kind, transport);
    send(gw, gw.topic("a"), "for-a");
    send(gw, gw.topic("b"), "for-b");
    assertEquals(List.of("for-b"), payloads(receive(gw, gw.topic("b"), 10, 0, 0)));
    assertEquals(List.of("for-a"), payloads(receive(gw, gw.topic("a"), 10, 0, 0)));
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void unackedMessageIsRedeliveredAfterItsVisibilityTimeout(StoreKind kind, Transport transport) {
    TestGateway gw = gateway(kind, transport);
    String topic = gw.topic("redeliver");
    String id = send(gw, topic, "again");
    send(gw, topic, "later");
    Message first = receive(gw, topic, 1, 0, 1_000).get(0);
    assertEquals(id, first.getMsgId());
    assertEquals(1, first.getDeliveryCount());
    // Leased: the next consumer gets the next message, not this one.
    assertEquals(List.of("later"), payloads(receive(gw, topic, 10, 0, 30_000)));

    long start = System.nanoTime();
    List<Message> again = receive(gw, topic, 10, 10_000, 30_000);
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(1, again.size());
    assertEquals(id, again.get(0).getMsgId());
    assertEquals(2, again.get(0).getDeliveryCount());
    assertTrue(waitedMs < 8_000, "redelivered after " + waitedMs + " ms");
    ack(gw, topic, id);
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void ackDeletesAndASecondAckIsNotFound(StoreKind kind, Transport transport) {
    TestGateway gw = gateway(kind, transport);
    String topic = gw.topic("ack");
    String id = send(gw, topic, "x");
    assertEquals(id, receive(gw, topic, 1, 0, 1_000).get(0).getMsgId());
    ack(gw, topic, id);
    StatusRuntimeException again = error(() -> ack(gw, topic, id));
    assertEquals(Status.Code.NOT_FOUND, again.getStatus().getCode());
    assertTrue(again.getStatus().getDescription().contains("'" + id + "'"), again.getMessage());
    // Acknowledged means gone for good: not redelivered after the visibility timeout either.
    assertEquals(List.of(), receive(gw, topic, 1, 1_500, 0));
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void ackOfUnknownNeverDeliveredOrOtherTopicsIdIsNotFound(StoreKind kind, Transport transport) {
    TestGateway gw = gateway(kind, transport);
    String topic = gw.topic("unknown");
    String undelivered = send(gw, topic, "not yet received");
    String other = send(gw, gw.topic("other"), "y");
    receive(gw, gw.topic("other"), 1, 0, 0);
    for (String id : List.of("999999999", "not-a-number", "-1", undelivered)) {
      assertEquals(Status.Code.NOT_FOUND, error(() -> ack(gw, topic, id)).getStatus().getCode(), id);
    }
    assertEquals(Status.Code.NOT_FOUND, error(() -> ack(gw, topic, other)).getStatus().getCode());
    ack(gw, gw.topic("other"), other);
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void receiveWaitsForASendUpToMaxWait(StoreKind kind, Transport transport) throws Exception {
    TestGateway gw = gateway(kind, transport);
    String topic = gw.topic("longpoll");
    var pending = RobustMQGatewayGrpc.newFutureStub(gw.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .receive(ReceiveRequest.newBuilder().setTopic(topic).setLimit(5).setMaxWaitMs(15_000).build());
    await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> true);
    assertTrue(!pending.isDone(), "an empty queue answers only when max_wait_ms is over");
    long sentAt = System.nanoTime();
    send(gw, topic, "wake up");
    ReceiveResponse r = pending.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("wake up"), payloads(r.getMessagesList()));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt);
    assertTrue(ms < 5_000, "answered " + ms + " ms after the send, not at the end of the wait");
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void emptyQueueAnswersEmptyAfterMaxWaitOrAtOnceWithoutOne(StoreKind kind, Transport transport) {
    TestGateway gw = gateway(kind, transport);
    String topic = gw.topic("empty");
    long t0 = System.nanoTime();
    assertEquals(List.of(), receive(gw, topic, 1, 0, 0));
    long immediate = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    t0 = System.nanoTime();
    assertEquals(List.of(), receive(gw, topic, 1, 1_500, 0));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(waited >= 1_400, "waited only " + waited + " ms of 1500");
    assertTrue(immediate < waited, "max_wait_ms 0 took " + immediate + " ms");
  }

  /**
   * A wait the call's deadline leaves no room for is cut short by the Gateway itself: it ends the
   * Receive OK and empty before the deadline, keeping time for the answer's way back, instead of
   * running into DEADLINE_EXCEEDED. Asserted where the Gateway decides it — the status it closed
   * the call with, from gRPC's server metrics — rather than by racing the client's clock against
   * a loaded machine's transport: the answer reaches the client in time whenever its way back takes
   * less than the time kept for it (then the client sees the empty answer, checked too).
   */
  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void waitBeyondTheCallDeadlineIsCutShortInsteadOfFailing(StoreKind kind, Transport transport) {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build()).build()) {
      own = new TestGateway(Brokers.hivemq(), location(kind), transport, b -> b.openTelemetry(otel));
      ReceiveRequest request = ReceiveRequest.newBuilder().setTopic(own.topic("deadline")).setLimit(1)
          .setMaxWaitMs(600_000).build();
      long t0 = System.nanoTime();
      Status client;
      try {
        ReceiveResponse r = RobustMQGatewayGrpc.newBlockingStub(own.channel).withDeadlineAfter(3, TimeUnit.SECONDS)
            .receive(request);
        assertEquals(0, r.getMessagesCount());
        client = Status.OK;
      } catch (StatusRuntimeException e) {
        client = e.getStatus();
      }
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      await().atMost(Duration.ofSeconds(10)).until(() -> !receiveStatuses(reader).isEmpty());
      assertEquals(Map.of("OK", 1L), receiveStatuses(reader), "the Gateway ended the Receive itself");
      if (client.isOk()) {
        assertTrue(elapsed < 3_000, elapsed + " ms");
      } else {
        // Only the answer's way back was slower than the time kept for it.
        assertEquals(Status.Code.DEADLINE_EXCEEDED, client.getCode(), client.toString());
      }
    }
  }

  /** How the server closed its Receive calls so far: status name to count. */
  private static Map<String, Long> receiveStatuses(InMemoryMetricReader reader) {
    Map<String, Long> statuses = new HashMap<>();
    for (MetricData m : reader.collectAllMetrics()) {
      if (!m.getName().equals("grpc.server.call.duration")) {
        continue;
      }
      for (HistogramPointData p : m.getHistogramData().getPoints()) {
        if ("robustmq.gateway.v1.RobustMQGateway/Receive".equals(p.getAttributes().get(GRPC_METHOD))) {
          statuses.merge(p.getAttributes().get(GRPC_STATUS), p.getCount(), Long::sum);
        }
      }
    }
    return statuses;
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void streamPushesAsMessagesArriveWithAtMostLimitUnacked(StoreKind kind, Transport transport) throws Exception {
    TestGateway gw = gateway(kind, transport);
    String topic = gw.topic("stream");
    StreamClient stream = StreamClient.open(gw,
        ReceiveRequest.newBuilder().setTopic(topic).setLimit(3).setVisibilityTimeoutMs(60_000).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.gateway().openStreams() == 1);
    for (int i = 0; i < 6; i++) {
      send(gw, topic, "m" + i);
    }
    List<Message> first = List.of(stream.next(), stream.next(), stream.next());
    assertEquals(List.of("m0", "m1", "m2"), payloads(first));
    assertEquals(null, stream.received.poll(1, TimeUnit.SECONDS), "a 4th message while 3 are unacked");

    ack(gw, topic, first.get(1).getMsgId());
    assertEquals("m3", stream.next().getPayload().toStringUtf8());
    assertEquals(null, stream.received.poll(500, TimeUnit.MILLISECONDS));
    ack(gw, topic, first.get(0).getMsgId());
    ack(gw, topic, first.get(2).getMsgId());
    assertEquals(List.of("m4", "m5"), payloads(List.of(stream.next(), stream.next())));
    // And later sends are pushed as they come.
    send(gw, topic, "late");
    assertEquals(null, stream.received.poll(300, TimeUnit.MILLISECONDS), "3 unacked again");
    stream.cancel();
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void streamWaitsForTheClientToReadAndLosesNothing(StoreKind kind, Transport transport) throws Exception {
    TestGateway gw = gateway(kind, transport);
    String topic = gw.topic("flow");
    for (int i = 0; i < 60; i++) {
      send(gw, topic, "m" + i);
    }
    StreamClient stream = StreamClient.open(gw,
        ReceiveRequest.newBuilder().setTopic(topic).setLimit(100).build(), new StreamClient(0));
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.gateway().openStreams() == 1);
    assertEquals(null, stream.received.poll(500, TimeUnit.MILLISECONDS), "the client asked for none");
    stream.request(10);
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      got.add(stream.next().getPayload().toStringUtf8());
    }
    stream.request(1_000);
    for (int i = 10; i < 60; i++) {
      got.add(stream.next().getPayload().toStringUtf8());
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      expected.add("m" + i);
    }
    assertEquals(expected, got);
    stream.cancel();
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void streamRedeliversWhatItsClientDidNotAckInTime(StoreKind kind, Transport transport) throws Exception {
    TestGateway gw = gateway(kind, transport);
    String topic = gw.topic("stream-lease");
    String id = send(gw, topic, "slow");
    StreamClient stream = StreamClient.open(gw,
        ReceiveRequest.newBuilder().setTopic(topic).setLimit(1).setVisibilityTimeoutMs(1_000).build());
    Message first = stream.next();
    assertEquals(1, first.getDeliveryCount());
    Message again = stream.next();
    assertEquals(id, again.getMsgId());
    assertEquals(2, again.getDeliveryCount());
    ack(gw, topic, id);
    stream.cancel();
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void cancelledStreamRequeuesWhatItHeldAtOnce(StoreKind kind, Transport transport) throws Exception {
    TestGateway gw = gateway(kind, transport);
    String topic = gw.topic("cancel");
    StreamClient stream = StreamClient.open(gw,
        ReceiveRequest.newBuilder().setTopic(topic).setLimit(5).setVisibilityTimeoutMs(600_000).build());
    for (int i = 0; i < 3; i++) {
      send(gw, topic, "m" + i);
    }
    List<Message> held = List.of(stream.next(), stream.next(), stream.next());
    stream.cancel();
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.gateway().openStreams() == 0);
    assertRequeued(gw, topic, held);
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void streamOfAClientThatDiesRequeuesWhatItHeld(StoreKind kind, Transport transport) throws Exception {
    TestGateway gw = ownGateway(kind, transport);
    String topic = gw.topic("will");
    StreamClient stream = StreamClient.open(gw,
        ReceiveRequest.newBuilder().setTopic(topic).setLimit(5).setVisibilityTimeoutMs(600_000).build());
    send(gw, topic, "m0");
    send(gw, topic, "m1");
    List<Message> held = List.of(stream.next(), stream.next());
    if (transport == Transport.MQTT) {
      // What the broker publishes when the client's connection dies: its last will.
      try (Mqtt mqtt = new Mqtt(gw.broker.uri())) {
        mqtt.publish(gw.prefix + "/_status/client/" + gw.channelId, "offline".getBytes(StandardCharsets.UTF_8));
      }
    } else {
      gw.reconnect(); // the HTTP/2 connection closes under the stream
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.gateway().openStreams() == 0);
    assertRequeued(gw, topic, held);
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void gatewayShutdownEndsStreamsAndRequeuesWhatTheyHeld(StoreKind kind, Transport transport) throws Exception {
    TestGateway gw = ownGateway(kind, transport);
    String topic = gw.topic("shutdown");
    StreamClient stream = StreamClient.open(gw,
        ReceiveRequest.newBuilder().setTopic(topic).setLimit(5).setVisibilityTimeoutMs(600_000).build());
    send(gw, topic, "m0");
    send(gw, topic, "m1");
    List<Message> held = List.of(stream.next(), stream.next());
    gw.restart();
    ExecutionException ended = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> stream.done.get(10, TimeUnit.SECONDS));
    assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(ended.getCause()).getCode());
    assertRequeued(gw, topic, held);
  }

  /** The held messages are visible again at once (their lease was long), delivered a second time. */
  private static void assertRequeued(TestGateway gw, String topic, List<Message> held) {
    List<Message> again = receive(gw, topic, 10, 0, 30_000);
    assertEquals(held.stream().map(Message::getMsgId).toList(), again.stream().map(Message::getMsgId).toList());
    for (Message m : again) {
      assertEquals(2, m.getDeliveryCount(), m.getMsgId());
      ack(gw, topic, m.getMsgId());
    }
  }

  static StatusRuntimeException error(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the call succeeded");
  }
}
