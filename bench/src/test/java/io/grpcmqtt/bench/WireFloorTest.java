package io.grpcmqtt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.base.Splitter;
import io.grpc.internal.JsonParser;
import io.grpcmqtt.bench.proto.BenchGrpc;
import io.grpcmqtt.bench.proto.Payload;
import io.grpcmqtt.bench.proto.StreamRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract floor ({@link WireContract}) cannot drift from what grpc-mqtt sends: a raw
 * subscriber to {@code #} on the embedded broker sees a grpc-mqtt unary Echo call and a contract
 * floor call, and their requests and replies must have the same shape (topic levels and lengths,
 * MQTT properties, user property names and value lengths in order, payload size, QoS).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireFloorTest {
  private static HivemqBroker broker;

  @BeforeAll
  static void start() {
    broker = HivemqBroker.start();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  @ParameterizedTest
  @EnumSource(RawMqtt.Library.class)
  void theContractFloorSendsWhatAGrpcMqttCallSends(RawMqtt.Library library) throws Exception {
    for (int size : new int[] {64, 16_384}) {
      List<String> grpcMqtt;
      try (GrpcEndpoint endpoint = GrpcEndpoint.mqtt(broker.uri(), 1)) {
        grpcMqtt = capture(() -> call(GrpcScenarios.unary(endpoint, size)));
      }
      for (WireContract.Threading threading : WireContract.Threading.values()) {
        try (RawRequestResponse floor = new RawRequestResponse(library,
            new WireContract(library, threading, WireContract.newRunId()), broker.uri(), 1,
            null)) {
          List<String> wire = capture(() -> call(floor.call(floor.payload(size))));
          assertEquals(grpcMqtt, wire, library + " " + threading + ", " + size + " B");
        }
      }
      assertEquals(2, grpcMqtt.size(), "one PUBLISH each way: " + grpcMqtt);
      // The protobuf encoding: a tag byte, the length as a varint, the bytes.
      assertTrue(grpcMqtt.get(0).endsWith("payload " + (size == 64 ? 66 : 16_388)),
          size + " B: " + grpcMqtt);
    }
  }

  /**
   * A stream's message frame (the one with {@code grpc-seq=1}) and its first credit frame, from
   * grpc-mqtt and from the stream contract floor, in both directions: 1,000 messages, more than
   * the first window of 512, so the sender needs the receiver's grant (after the 256th), which
   * therefore comes before the stream's end. The server stream reads all 1,000; the others send
   * for a second or until the 1,000th message, far longer than 256 messages take.
   */
  @ParameterizedTest
  @EnumSource(RawMqtt.Library.class)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void theStreamContractFloorSendsWhatAGrpcMqttStreamSends(RawMqtt.Library library)
      throws Exception {
    long nanos = TimeUnit.SECONDS.toNanos(1);
    for (int size : new int[] {64, 16_384}) {
      for (WireStream.Direction d : WireStream.Direction.values()) {
        List<String> grpcMqtt;
        try (GrpcEndpoint endpoint = GrpcEndpoint.mqtt(broker.uri(), 1)) {
          grpcMqtt = captureStream(() -> {
            if (d == WireStream.Direction.SERVER) {
              Iterator<Payload> messages = BenchGrpc.newBlockingStub(endpoint.channel)
                  .withDeadlineAfter(30, TimeUnit.SECONDS)
                  .source(StreamRequest.newBuilder().setCount(1000).setSize(size).build());
              int n = 0;
              while (messages.hasNext()) {
                messages.next();
                n++;
              }
              assertEquals(1000, n);
            } else {
              GrpcScenarios.clientStreaming(endpoint, size, 0, nanos, 1000);
            }
          });
        }
        for (WireContract.Threading threading : WireContract.Threading.values()) {
          WireContract wire = new WireContract(library, threading, WireContract.newRunId());
          List<String> floor = captureStream(
              () -> WireStream.run(wire, d, broker.uri(), 1, size, 0, nanos, 1000, n -> {}));
          assertEquals(grpcMqtt, floor, library + " " + threading + " " + d + ", " + size + " B");
        }
        assertTrue(grpcMqtt.get(0).endsWith("payload " + (size == 64 ? 66 : 16_388)),
            size + " B: " + grpcMqtt);
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @SuppressWarnings("unchecked")
  void theHarnessRunsEveryContractFloor(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("wire.json");
    List<String> impls = List.of("floor-wire", "floor-wire-direct", "floor-wire-hivemq",
        "floor-wire-direct-hivemq");

    int code = Main.run("--smoke", "--brokers", "hivemq", "--scenarios", "unary,streaming",
        "--qos", "1",
        "--payloads", "64", "--impls", "floor," + String.join(",", impls), "--json",
        json.toString());

    assertEquals(0, code);
    Map<String, ?> doc =
        (Map<String, ?>) JsonParser.parse(Files.readString(json, StandardCharsets.UTF_8));
    Set<String> seen = new HashSet<>();
    for (Map<String, ?> r : (List<Map<String, ?>>) doc.get("results")) {
      String key = r.get("kind") + "|" + r.get("impl") + "|"
          + ((Number) r.get("concurrency")).intValue();
      assertEquals(0, ((Number) r.get("errors")).intValue(), key + ": " + r.get("note"));
      assertTrue(((Number) r.get("samples")).longValue() > 0, key + " has no samples");
      assertTrue(seen.add(key), "reported twice: " + key);
    }
    Set<String> expected = new HashSet<>();
    for (String impl : impls) {
      expected.add("unary|" + impl + "|1");
      expected.add("unary|" + impl + "|32");
      expected.add("server-stream|" + impl + "|1");
      expected.add("client-stream|" + impl + "|1");
    }
    expected.add("unary|floor|1");
    expected.add("unary|floor|32");
    expected.add("pubsub|floor|1");
    assertEquals(expected, seen);
  }

  @Test
  void theResponderSubscribesAsAGrpcMqttServerDoes() {
    WireContract wire = new WireContract(RawMqtt.Library.PAHO, WireContract.Threading.DIRECT,
        "bench-1234abcd");
    assertEquals("$share/grpc-mqtt/wireb-1234abcd/grpcmqtt.bench.v1.Bench/+",
        wire.responderFilter());
    assertEquals("floor-wire-direct-hivemq", new WireContract(RawMqtt.Library.HIVEMQ,
        WireContract.Threading.DIRECT, "bench-1234abcd").impl());
  }

  @Test
  void grpcTimeoutIsTheFinestUnitBelowOneHundredMillion() {
    assertEquals("29999310u", WireContract.timeout(29_999_310_123L));
    assertEquals("99999999n", WireContract.timeout(99_999_999L));
    assertEquals("100000u", WireContract.timeout(100_000_000L));
    assertEquals("0n", WireContract.timeout(-5));
    assertEquals(30, WireContract.request(29_000_000_001L).expirySeconds(), "rounded up");
    assertEquals(1, WireContract.request(0).expirySeconds(), "at least 1");
  }

  private static void call(ClosedLoop.Call call) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    call.start(() -> done.complete(null), done::completeExceptionally);
    done.get(20, TimeUnit.SECONDS);
  }

  private interface Action {
    void run() throws Exception;
  }

  /** The shapes of the call's messages a subscriber to {@code #} saw, in arrival order. */
  private static List<String> capture(Action call) throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    RawClient observer = new RawClient(broker.uri(), "observer");
    try {
      observer.subscribe("#", 1, (topic, m) -> {
        if (topic.endsWith("/Echo") || topic.contains("/_reply/")) {
          seen.add(shape(topic, m));
        }
      });
      call.run();
      // The reply reached the caller, so the broker has routed both messages to the observer
      // too; the observer's own delivery may lag: wait for the two, bounded.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (seen.size() < 2 && System.nanoTime() < until) {
        Thread.sleep(10);
      }
    } finally {
      observer.close();
    }
    return new ArrayList<>(seen);
  }

  /**
   * The shapes of a stream's message frame with {@code grpc-seq=1} and of its first credit frame,
   * as a subscriber to {@code #} saw them.
   */
  private static List<String> captureStream(Action stream) throws Exception {
    String[] seen = new String[2];
    RawClient observer = new RawClient(broker.uri(), "observer");
    try {
      observer.subscribe("#", 1, (topic, m) -> {
        Map<String, String> props = new java.util.HashMap<>();
        for (UserProperty u : m.getProperties().getUserProperties()) {
          props.putIfAbsent(u.getKey(), u.getValue());
        }
        synchronized (seen) {
          if ("1".equals(props.get("grpc-seq")) && !props.containsKey("grpc-ctl")
              && seen[0] == null) {
            seen[0] = shape(topic, m);
          } else if ("credit".equals(props.get("grpc-ctl")) && seen[1] == null) {
            seen[1] = shape(topic, m);
          }
        }
      });
      stream.run();
      // The observer's own delivery may lag the stream's end: wait for both, bounded.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < until) {
        synchronized (seen) {
          if (seen[0] != null && seen[1] != null) {
            break;
          }
        }
        Thread.sleep(10);
      }
    } finally {
      observer.close();
    }
    synchronized (seen) {
      return java.util.Arrays.asList(seen[0], seen[1]);
    }
  }

  /**
   * A message with the names it was given replaced by their lengths: the topic prefix, the
   * client id in a reply topic, the Correlation Data; an expiry the broker may have decremented
   * by a second is checked for presence and range only.
   */
  private static String shape(String topic, MqttMessage m) {
    MqttProperties p = m.getProperties();
    StringBuilder s = new StringBuilder("topic ").append(topicShape(topic));
    s.append(", qos ").append(m.getQos());
    if (p.getResponseTopic() != null) {
      s.append(", response topic ").append(topicShape(p.getResponseTopic()));
    }
    if (p.getCorrelationData() != null) {
      s.append(", correlation ").append(p.getCorrelationData().length).append(" B");
    }
    Long expiry = p.getMessageExpiryInterval();
    if (expiry != null) {
      assertTrue(expiry >= 28 && expiry <= 30, "expiry " + expiry);
      s.append(", expiry");
    }
    if (p.getContentType() != null) {
      s.append(", content type ").append(p.getContentType());
    }
    for (UserProperty u : p.getUserProperties()) {
      s.append(", ").append(u.getKey()).append('=').append(u.getValue().length()).append(" chars");
    }
    return s.append(", payload ").append(m.getPayload().length).toString();
  }

  private static String topicShape(String topic) {
    List<String> levels = new ArrayList<>(Splitter.on('/').splitToList(topic));
    levels.set(0, "{" + levels.get(0).length() + "}");
    for (String level : List.of("_reply", "_server")) {
      int i = levels.indexOf(level);
      if (i >= 0 && i + 1 < levels.size()) {
        levels.set(i + 1, "{" + levels.get(i + 1).length() + "}");
      }
    }
    return String.join("/", levels);
  }
}
