package io.grpcmqtt.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpcmqtt.gateway.internal.GatewayExecutors;
import io.grpcmqtt.gateway.internal.MqttBridge;
import io.grpcmqtt.mqtt.MqttConnectionConfig;
import io.grpcmqtt.gateway.store.StoredMessage;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.EmbeddedBrokerFixture;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sends that MQTT cannot carry, among a stream of plain publishes taken in by ingest: every one is
 * refused, the mirror/ingest connection never drops, and no ingested message is lost. On HiveMQ
 * and Mosquitto.
 */
class PoisonedInputTest {
  private static final int INGESTED = 1_500;

  /** Topics and headers that once made the mirror drop its connection (or would have). */
  static List<SendRequest> poisonedSends(String okTopic) {
    List<SendRequest> sends = new ArrayList<>();
    for (String bad : List.of("\u0001", "\n", "\t", "\u007f", "\u0085", "\u009f", "\ufffe", "\uffff", "\ufdd0",
        "\ud83f\udfff")) {
      sends.add(SendRequest.newBuilder().setTopic(okTopic + "/a" + bad + "b").build());
      sends.add(SendRequest.newBuilder().setTopic(okTopic).putHeaders("h", "v" + bad).build());
      sends.add(SendRequest.newBuilder().setTopic(okTopic).putHeaders("h" + bad, "v").build());
    }
    sends.add(SendRequest.newBuilder().setTopic(okTopic + "//x").build());
    sends.add(SendRequest.newBuilder().setTopic(okTopic + "/").build());
    return sends;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void ingestLosesNothingWhilePoisonedSendsAreRefused(TestBroker broker) throws Exception {
    String filter = "poison" + ProcessHandle.current().pid() + broker.name() + "/#";
    String ingestTopic = filter.replace("#", "dev");
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        LogCapture connectionLog = new LogCapture(LogCapture.GRPC_MQTT);
        TestGateway gw = new TestGateway(broker, location, b -> b.ingest(filter));
        Mqtt publisher = new Mqtt(broker.uri())) {
      List<SendRequest> poison = poisonedSends(gw.topic("p"));
      CompletableFuture<List<Status.Code>> refusals = CompletableFuture.supplyAsync(() -> {
        List<Status.Code> codes = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
          for (SendRequest s : poison) {
            try {
              gw.blocking().send(s);
              codes.add(Status.Code.OK);
            } catch (StatusRuntimeException e) {
              codes.add(e.getStatus().getCode());
            }
          }
        }
        return codes;
      });
      for (int i = 0; i < INGESTED; i++) {
        publisher.publish(ingestTopic, ("m" + i).getBytes(StandardCharsets.UTF_8));
      }
      List<Status.Code> codes = refusals.get();
      assertEquals(3 * poison.size(), codes.size());
      assertTrue(codes.stream().allMatch(c -> c == Status.Code.INVALID_ARGUMENT), codes.toString());

      Set<String> got = new HashSet<>();
      List<String> duplicates = new ArrayList<>();
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        for (Message m : GatewaySemanticsTest.receive(gw, ingestTopic, 1_000, 1_000, 600_000)) {
          if (!got.add(m.getPayload().toStringUtf8())) {
            duplicates.add(m.getPayload().toStringUtf8());
          }
        }
        return got.size() >= INGESTED;
      });
      assertEquals(INGESTED, got.size(), "every ingested message stored");
      assertEquals(List.of(), duplicates);
      assertFalse(connectionLog.contains(" lost ("), connectionLog.lines().toString());
    }
  }

  /**
   * A Send over HTTP/2 may carry more than the broker takes in one packet (its CONNACK's Maximum
   * Packet Size, here 64 KiB): it is stored and received, its mirror is skipped and logged, and the
   * plain-MQTT connection stays up for the next message's mirror.
   */
  @Test
  void aMessageOverTheBrokersMaximumPacketSizeIsStoredButNotMirrored() throws Exception {
    try (EmbeddedBrokerFixture broker = Brokers.newHivemq(b -> b.maxPacketSize(64 * 1024));
        StoreKind.Location location = StoreKind.H2.newLocation();
        LogCapture bridgeLog = new LogCapture(MqttBridge.class);
        LogCapture connectionLog = new LogCapture(LogCapture.GRPC_MQTT);
        TestGateway gw = new TestGateway(broker, location, Transport.HTTP2);
        Mqtt watcher = new Mqtt(broker.uri())) {
      String topic = gw.topic("big");
      watcher.subscribe(topic);
      String big = gw.blocking().send(SendRequest.newBuilder().setTopic(topic)
          .setPayload(ByteString.copyFrom(new byte[100_000])).build()).getMsgId();
      String small = GatewaySemanticsTest.send(gw, topic, "small");
      Mqtt.Received mirrored = watcher.next();
      assertEquals(small, mirrored.property(MqttBridge.MSG_ID_PROPERTY), "the next message is mirrored");
      assertEquals("small", new String(mirrored.message().getPayload(), StandardCharsets.UTF_8));
      assertEquals(List.of(big, small), GatewaySemanticsTest.receive(gw, topic, 10, 0, 600_000).stream()
          .map(Message::getMsgId).toList(), "both stored");
      assertTrue(bridgeLog.contains("exceeds the broker's maximum packet size of 65536 bytes"), bridgeLog.lines().toString());
      assertFalse(connectionLog.contains(" lost ("), connectionLog.lines().toString());
    }
  }

  /**
   * A stored message the broker cannot take (as an older Gateway version could store) is skipped
   * by the mirror, which keeps its connection, and with it the ingest.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void theMirrorSkipsWhatItCannotPublishAndKeepsItsConnection(TestBroker broker) throws Exception {
    String base = "mirrorguard" + ProcessHandle.current().pid() + broker.name();
    Map<String, String> ingested = new ConcurrentHashMap<>();
    try (LogCapture bridgeLog = new LogCapture(MqttBridge.class);
        LogCapture connectionLog = new LogCapture(LogCapture.GRPC_MQTT);
        GatewayExecutors executors = new GatewayExecutors(2, 1_000);
        MqttBridge bridge = new MqttBridge(MqttConnectionConfig.builder(broker.uri()), "guard-" + base, "", executors);
        Mqtt watcher = new Mqtt(broker.uri());
        Mqtt publisher = new Mqtt(broker.uri())) {
      bridge.subscribe(base + "/in/#", (topic, payload, headers) ->
          ingested.put(new String(payload, StandardCharsets.UTF_8), topic));
      bridge.connect();
      watcher.subscribe(base + "/out/#");
      List<StoredMessage> poison = List.of(
          new StoredMessage(1, base + "/out/a\u0001b", new byte[1], Map.of(), 0, 0),
          new StoredMessage(2, base + "/out/ok", new byte[1], Map.of("h", "\uffff"), 0, 0),
          new StoredMessage(3, base + "/out/ok", new byte[1], Map.of("\n", "v"), 0, 0),
          new StoredMessage(4, base + "/out/\ud800", new byte[1], Map.of(), 0, 0));
      for (int i = 0; i < 200; i++) {
        if (i % 20 == 0) {
          poison.forEach(bridge::publish);
        }
        bridge.publish(new StoredMessage(1_000 + i, base + "/out/ok", ("good" + i).getBytes(StandardCharsets.UTF_8),
            Map.of("unit", "C"), 0, 0));
        publisher.publish(base + "/in/x", ("in" + i).getBytes(StandardCharsets.UTF_8));
      }
      Set<String> mirrored = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        Mqtt.Received r = watcher.next();
        assertEquals(base + "/out/ok", r.topic());
        mirrored.add(new String(r.message().getPayload(), StandardCharsets.UTF_8));
      }
      assertEquals(200, mirrored.size(), "every good message mirrored once");
      await().atMost(Duration.ofSeconds(20)).until(() -> ingested.size() == 200);
      assertTrue(bridgeLog.contains("was stored but is not mirrored"), bridgeLog.lines().toString());
      assertFalse(connectionLog.contains(" lost ("), connectionLog.lines().toString());
    }
  }
}
