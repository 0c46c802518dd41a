package io.grpcmqtt.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.gateway.internal.GatewayService;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The device Send topic refuses exactly what a Send call refuses: with a Response Topic the device
 * gets the status and the reason, without one the Gateway logs it (rate-limited). On HiveMQ and
 * Mosquitto.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceSendRefusalsTest {
  /** One Gateway per broker for the tests that only need answers; each test has its own topics. */
  private final Map<String, TestGateway> shared = new HashMap<>();
  private final List<StoreKind.Location> locations = new ArrayList<>();

  private TestGateway gateway(TestBroker broker) {
    return shared.computeIfAbsent(broker.name(), n -> {
      StoreKind.Location location = StoreKind.H2.newLocation();
      locations.add(location);
      return new TestGateway(broker, location, b -> b.maxPayloadBytes(10));
    });
  }

  @AfterAll
  void closeShared() {
    shared.values().forEach(TestGateway::close);
    locations.forEach(StoreKind.Location::close);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void everyRefusedDeviceSendWithAResponseTopicIsAnswered(TestBroker broker) throws Exception {
    TestGateway gw = gateway(broker);
    try (Mqtt device = new Mqtt(broker.uri())) {
      String reply = "devices/" + UUID.randomUUID() + "/reply";
      device.subscribe(reply);
      String ok = gw.topic("ok");
      List<String[]> cases = List.of(
          new String[] {"gateway/send", "3", "does not fit the topic template 'gateway/send/{topic=**}'"},
          new String[] {"gateway/send/", "3", "level 3 is empty"},
          new String[] {"gateway/send//", "3", "level 3 is empty"},
          new String[] {"gateway/send/a//b", "3", "level 4 is empty"},
          new String[] {"gateway/send/" + ok + "/", "3", "is empty"},
          new String[] {"gateway/send/$bad", "3", "must not start with '$'"},
          new String[] {"gateway/send/grpc/x", "3", "is reserved"},
          new String[] {"gateway/send/" + gw.prefix + "/x", "3", "is reserved"},
          new String[] {"gateway/send/gateway/send/x", "3", "is reserved"});
      int n = 0;
      for (String[] c : cases) {
        String correlation = "c" + n++;
        device.request(c[0], "21.5".getBytes(StandardCharsets.UTF_8), reply, correlation, null);
        Mqtt.Received r = device.next();
        assertEquals(correlation, new String(r.message().getProperties().getCorrelationData(), StandardCharsets.UTF_8));
        assertEquals(0, r.message().getPayload().length, c[0]);
        assertEquals(c[1], r.property("grpc-status"), c[0] + ": " + r.property("grpc-message"));
        assertTrue(r.property("grpc-message").contains(c[2]), c[0] + ": " + r.property("grpc-message"));
      }
      // Too big for --max-payload 10: RESOURCE_EXHAUSTED, like the call.
      device.request("gateway/send/" + ok, new byte[11], reply, "big", null);
      Mqtt.Received big = device.next();
      assertEquals("8", big.property("grpc-status"));
      assertEquals("payload is 11 bytes; the limit is 10 bytes", big.property("grpc-message"));

      // And a good one is answered with its msg_id (protobuf: field 1, the id as a string).
      device.request("gateway/send/" + ok, "21.5".getBytes(StandardCharsets.UTF_8), reply, "good", null);
      Mqtt.Received good = device.next();
      assertEquals("0", good.property("grpc-status"));
      List<Message> got = GatewaySemanticsTest.receive(gw, ok, 10, 0, 0);
      assertEquals(1, got.size(), "only the good one was stored");
      assertEquals(got.get(0).getMsgId(), io.grpcmqtt.gateway.v1.SendResponse.parseFrom(good.message().getPayload()).getMsgId());
    }
  }

  /** JSON carries what a Java client cannot send (unpaired surrogates), and newcomers' mistakes. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void jsonCallsGetTheSameRulesAndFriendlyErrors(TestBroker broker) throws Exception {
    TestGateway gw = gateway(broker);
    try (Mqtt device = new Mqtt(broker.uri())) {
      String reply = "devices/" + UUID.randomUUID() + "/reply";
      device.subscribe(reply);
      String ok = gw.topic("json");
      String json = "application/json";
      List<String[]> cases = List.of(
          new String[] {"Send", json, "{\"topic\":\"x\\ud800\"}", "3", "topic 'x\\uD800' contains an unpaired surrogate U+D800 at index 1"},
          new String[] {"Send", json, "{\"topic\":\"" + ok + "\",\"headers\":{\"k\":\"\\udc00\"}}", "3", "header 'k': value '\\uDC00' contains an unpaired surrogate"},
          new String[] {"Send", json, "{\"topic\":\"" + ok + "\",\"idempotencyKey\":\"\\ud83d\"}", "3", "idempotency_key '\\uD83D' contains an unpaired surrogate"},
          new String[] {"Receive", json, "{\"topic\":\"\\ud800/x\"}", "3", "unpaired surrogate"},
          new String[] {"Ack", json, "{\"topic\":\"a\\u0000\",\"msgId\":\"1\"}", "3", "control character U+0000"},
          new String[] {"Send", json, "{\"topic\":\"a//b\"}", "3", "has an empty level"},
          // JSON sent without its content type.
          new String[] {"Send", null, "{\"topic\":\"" + ok + "\"}", "3", "looks like JSON: send it with the content type application/json"},
          // Bytes are base64 in proto3 JSON.
          new String[] {"Send", json, "{\"topic\":\"" + ok + "\",\"payload\":\"21.5\"}", "3", "bytes fields are base64 in proto3 JSON"});
      int n = 0;
      for (String[] c : cases) {
        device.request(gw.prefix + "/" + Gateway.SERVICE + "/" + c[0], c[2].getBytes(StandardCharsets.UTF_8), reply,
            "j" + n++, c[1]);
        Mqtt.Received r = device.next();
        assertEquals(c[3], r.property("grpc-status"), c[2] + ": " + r.property("grpc-message"));
        assertTrue(r.property("grpc-message").contains(c[4]), c[2] + ": " + r.property("grpc-message"));
      }
      // A Receive without a limit gets the default (1), not an error.
      for (String payload : List.of("a", "b")) {
        GatewaySemanticsTest.send(gw, ok, payload);
      }
      device.request(gw.prefix + "/" + Gateway.SERVICE + "/Receive", ("{\"topic\":\"" + ok + "\"}")
          .getBytes(StandardCharsets.UTF_8), reply, "nolimit", json);
      Mqtt.Received r = device.next();
      assertEquals("0", r.property("grpc-status"), r.property("grpc-message"));
      String body = new String(r.message().getPayload(), StandardCharsets.UTF_8);
      assertTrue(body.contains("\"payload\":\"YQ==\"") && !body.contains("Yg=="), body);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void refusedOneWayDeviceSendsAreLogged(TestBroker broker) throws Exception {
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(broker, location, b -> b.maxPayloadBytes(10));
        Mqtt device = new Mqtt(broker.uri());
        LogCapture gatewayLog = new LogCapture(GatewayService.class);
        LogCapture runtimeLog = new LogCapture(LogCapture.GRPC_MQTT)) {
      String ok = gw.topic("ok");
      device.publish("gateway/send/" + ok, new byte[11]);
      await().atMost(Duration.ofSeconds(10)).until(() -> gatewayLog.contains(
          "Refused a one-way Send on topic '" + ok + "': RESOURCE_EXHAUSTED payload is 11 bytes; the limit is 10 bytes"));
      device.publish("gateway/send/a//b", new byte[1]);
      await().atMost(Duration.ofSeconds(10)).until(() -> runtimeLog.contains(
          "INVALID_ARGUMENT topic 'gateway/send/a//b' does not fit the topic template"));
      // The rest of a burst is counted, not logged line by line; the Gateway keeps serving.
      for (int i = 0; i < 50; i++) {
        device.publish("gateway/send/$bad" + i, new byte[1]);
      }
      device.publish("gateway/send/" + ok, "fine".getBytes(StandardCharsets.UTF_8));
      List<Message> got = GatewaySemanticsTest.receive(gw, ok, 10, 10_000, 0);
      assertEquals(List.of("fine"), GatewaySemanticsTest.payloads(got));
      assertTrue(gatewayLog.lines().size() <= 3, "rate-limited: " + gatewayLog.lines());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void anIdempotencyKeyUserPropertyMakesRepeatedDevicePublishesOneMessage(TestBroker broker) throws Exception {
    TestGateway gw = gateway(broker);
    try (Mqtt device = new Mqtt(broker.uri())) {
      String topic = gw.topic("readings");
      for (int i = 0; i < 3; i++) {
        device.publish("gateway/send/" + topic, "21.5".getBytes(StandardCharsets.UTF_8),
            new UserProperty("idempotency-key", "reading-1"));
      }
      device.publish("gateway/send/" + topic, "22.0".getBytes(StandardCharsets.UTF_8),
          new UserProperty("idempotency-key", "reading-2"));
      List<String> payloads = new ArrayList<>();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        payloads.addAll(GatewaySemanticsTest.payloads(GatewaySemanticsTest.receive(gw, topic, 10, 1_000, 600_000)));
        return payloads.size() >= 2;
      });
      // Separate one-way publishes are separate calls, run side by side: their order is not kept.
      payloads.sort(null);
      assertEquals(List.of("21.5", "22.0"), payloads);
      assertEquals(0, GatewaySemanticsTest.receive(gw, topic, 10, 500, 0).size(), "no third message");
    }
  }
}
