package io.grpcmqtt.gateway.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpcmqtt.gateway.Gateway;
import io.grpcmqtt.gateway.GatewayConfig;
import io.grpcmqtt.gateway.store.MessageStore;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.MosquittoClients;
import io.grpcmqtt.testing.TestBroker;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SDK against a real Gateway (embedded HiveMQ, H2 store) over both of its transports: the
 * same calls through {@code tcp://} (gRPC over MQTT) and {@code grpc://} (HTTP/2).
 */
class GatewayClientTest {
  private static final AtomicInteger N = new AtomicInteger();
  private static final TestBroker BROKER = Brokers.hivemq();
  private static Gateway gateway;

  @BeforeAll
  static void startGateway(@TempDir Path dir) throws Exception {
    gateway = Gateway.start(GatewayConfig.builder(BROKER.uri())
        .grpcListen(new InetSocketAddress("127.0.0.1", 0))
        .pollInterval(Duration.ofMillis(200))
        .build(), MessageStore.h2(dir));
  }

  @AfterAll
  static void stopGateway() {
    gateway.close();
  }

  private static String uri(String transport) {
    return transport.equals("mqtt") ? BROKER.uri() : "grpc://127.0.0.1:" + gateway.grpcPort();
  }

  private static String topic(String name) {
    return "sdk/" + ProcessHandle.current().pid() + "-" + N.incrementAndGet() + "/" + name;
  }

  @ParameterizedTest
  @ValueSource(strings = {"mqtt", "http2"})
  void sendReceiveAck(String transport) {
    String topic = topic("basic");
    try (GatewayClient client = GatewayClient.connect(uri(transport))) {
      String first = client.send(topic, "21.5".getBytes(UTF_8), Map.of("unit", "C"));
      client.send(topic, "22.0".getBytes(UTF_8));
      List<GatewayMessage> got = client.receive(topic, 10);
      assertEquals(List.of("21.5", "22.0"), got.stream().map(GatewayMessage::payloadUtf8).toList());
      GatewayMessage m = got.get(0);
      assertEquals(first, m.msgId());
      assertEquals(topic, m.topic());
      assertEquals(Map.of("unit", "C"), m.headers());
      assertEquals(1, m.deliveryCount());
      assertTrue(Math.abs(System.currentTimeMillis() - m.timestampMs()) < 60_000);
      for (GatewayMessage each : got) {
        client.ack(topic, each.msgId());
      }
      assertEquals(List.of(), client.receive(topic, 10, Duration.ZERO));
    }
  }

  /** A send retried with its idempotency key returns the first id and stores nothing, on either transport. */
  @ParameterizedTest
  @ValueSource(strings = {"mqtt", "http2"})
  void aSendRetriedWithItsIdempotencyKeyIsStoredOnce(String transport) {
    String topic = topic("once");
    try (GatewayClient client = GatewayClient.connect(uri(transport))) {
      String id = client.send(topic, "17".getBytes(UTF_8), Map.of(), "order-17");
      assertEquals(id, client.send(topic, "17".getBytes(UTF_8), Map.of(), "order-17"));
      assertEquals(List.of(id), client.receive(topic, 10, Duration.ZERO).stream().map(GatewayMessage::msgId).toList());
    }
  }

  /** A message sent over one transport is received over the other. */
  @Test
  void transportsShareTheQueues() {
    String topic = topic("across");
    try (GatewayClient mqtt = GatewayClient.connect(uri("mqtt"));
        GatewayClient http2 = GatewayClient.connect(uri("http2"))) {
      mqtt.send(topic, "from mqtt".getBytes(UTF_8));
      GatewayMessage m = http2.receive(topic, 1).get(0);
      assertEquals("from mqtt", m.payloadUtf8());
      http2.ack(topic, m.msgId());
      http2.send(topic, "from http2".getBytes(UTF_8));
      assertEquals("from http2", mqtt.receive(topic, 1).get(0).payloadUtf8());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mqtt", "http2"})
  void receiveWaitsForTheFirstMessage(String transport) throws Exception {
    String topic = topic("wait");
    try (GatewayClient client = GatewayClient.connect(uri(transport))) {
      ExecutorService sender = Executors.newSingleThreadExecutor();
      try {
        long t0 = System.nanoTime();
        Future<?> later = sender.submit(() -> {
          await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
          client.send(topic, "late".getBytes(UTF_8));
        });
        List<GatewayMessage> got = client.receive(topic, 5); // default wait: 5 s
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        later.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("late"), got.stream().map(GatewayMessage::payloadUtf8).toList());
        assertTrue(ms >= 400 && ms < 5_000, "answered after " + ms + " ms");
      } finally {
        sender.shutdownNow();
      }
    }
  }

  /** Closing a stream requeues what it got and did not acknowledge, at once. */
  @ParameterizedTest
  @ValueSource(strings = {"mqtt", "http2"})
  void streamDeliversAndClosingRequeuesWhatWasNotAcked(String transport) {
    String topic = topic("stream");
    try (GatewayClient client = GatewayClient.connect(uri(transport))) {
      for (int i = 0; i < 3; i++) {
        client.send(topic, ("m" + i).getBytes(UTF_8));
      }
      List<String> seen = new ArrayList<>();
      try (GatewayStream stream = client.stream(topic)) {
        Iterator<GatewayMessage> it = stream.iterator();
        for (int i = 0; i < 3; i++) {
          GatewayMessage m = it.next();
          seen.add(m.payloadUtf8());
          if (i == 0) {
            client.ack(topic, m.msgId());
          }
        }
        client.send(topic, "m3".getBytes(UTF_8));
        assertEquals("m3", it.next().payloadUtf8());
      }
      assertEquals(List.of("m0", "m1", "m2"), seen);
      // m1, m2 and m3 were held by the stream, unacknowledged: visible again now, not after 30 s.
      List<GatewayMessage> again = client.receive(topic, 10, Duration.ofSeconds(5));
      assertEquals(List.of("m1", "m2", "m3"), again.stream().map(GatewayMessage::payloadUtf8).toList());
      assertTrue(again.stream().allMatch(m -> m.deliveryCount() == 2), again.toString());
      again.forEach(m -> client.ack(topic, m.msgId()));
    }
  }

  /** A thread blocked in the iteration returns when another closes the stream. */
  @Test
  void closingAStreamEndsItsIteration() throws Exception {
    try (GatewayClient client = GatewayClient.connect(uri("http2"))) {
      GatewayStream stream = client.stream(topic("idle"));
      ExecutorService reader = Executors.newSingleThreadExecutor();
      try {
        Future<Boolean> hasNext = reader.submit(() -> stream.iterator().hasNext());
        await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> !hasNext.isDone());
        stream.close();
        assertFalse(hasNext.get(10, TimeUnit.SECONDS));
      } finally {
        reader.shutdownNow();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> gateway.openStreams() == 0);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mqtt", "http2"})
  void errorsAreUncheckedAndCarryTheStatus(String transport) {
    try (GatewayClient client = GatewayClient.connect(uri(transport))) {
      GatewayException wildcard = assertThrows(GatewayException.class, () -> client.send("a/#", new byte[1]));
      assertEquals(Status.Code.INVALID_ARGUMENT, wildcard.code());
      assertTrue(wildcard.getMessage().startsWith("send to 'a/#' failed: INVALID_ARGUMENT: topic 'a/#' must not contain"),
          wildcard.getMessage());
      GatewayException unknown = assertThrows(GatewayException.class, () -> client.ack(topic("x"), "999999999"));
      assertEquals(Status.Code.NOT_FOUND, unknown.status().getCode());
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, assertThrows(GatewayException.class,
          () -> client.send(topic("big"), new byte[1024 * 1024 + 1])).code());
      // (0 is not refused: the Gateway reads a limit left 0 as 1.)
      GatewayException limit = assertThrows(GatewayException.class, () -> client.receive(topic("limit"), 1001));
      assertEquals(Status.Code.INVALID_ARGUMENT, limit.code());
      assertTrue(limit.getMessage().contains("limit must be between 1 and 1000 (0 or unset means 1), was 1001"),
          limit.getMessage());
      try (GatewayStream bad = client.stream("")) {
        GatewayException e = assertThrows(GatewayException.class, () -> bad.iterator().hasNext());
        assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
      }
      assertThrows(IllegalArgumentException.class, () -> client.receive(topic("w"), 1, Duration.ofSeconds(21)));
    }
  }

  @Test
  void aGatewayThatIsNotThereIsUnavailableAndBadUrisAreRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      port = s.getLocalPort();
    }
    try (GatewayClient client = GatewayClient.connect("grpc://127.0.0.1:" + port)) {
      assertEquals(Status.Code.UNAVAILABLE,
          assertThrows(GatewayException.class, () -> client.send("t", new byte[0])).code());
    }
    for (String bad : List.of("http://127.0.0.1:1", "grpc://127.0.0.1", "127.0.0.1:1883", "tcp:///x")) {
      assertThrows(IllegalArgumentException.class, () -> GatewayClient.connect(bad), bad);
    }
  }

  /** A device with nothing but mosquitto_pub sends; the SDK receives. */
  @ParameterizedTest
  @ValueSource(strings = {"mqtt", "http2"})
  void aDeviceSendsWithMosquittoPubAndTheSdkReceives(String transport) throws Exception {
    String topic = topic("device");
    MosquittoClients.publish(BROKER, "gateway/send/" + topic, "21.5");
    try (GatewayClient client = GatewayClient.connect(uri(transport))) {
      List<GatewayMessage> got = client.receive(topic, 1, Duration.ofSeconds(10));
      assertEquals(List.of("21.5"), got.stream().map(GatewayMessage::payloadUtf8).toList());
      client.ack(topic, got.get(0).msgId());
    }
  }

  /** One client, many threads. */
  @Test
  void oneClientServesManyThreads() throws Exception {
    String topic = topic("threads");
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try (GatewayClient client = GatewayClient.connect(uri("http2"))) {
      List<Future<?>> sends = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        sends.add(threads.submit(() -> {
          for (int i = 0; i < 25; i++) {
            client.send(topic, (thread + "-" + i).getBytes(UTF_8));
          }
        }));
      }
      for (Future<?> f : sends) {
        f.get(60, TimeUnit.SECONDS);
      }
      List<String> got = Collections.synchronizedList(new ArrayList<>());
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (GatewayMessage m : client.receive(topic, 100, Duration.ZERO)) {
          got.add(m.payloadUtf8());
          client.ack(topic, m.msgId());
        }
        return got.size() >= 100;
      });
      assertEquals(100, got.stream().distinct().count());
    } finally {
      threads.shutdownNow();
    }
  }
}
