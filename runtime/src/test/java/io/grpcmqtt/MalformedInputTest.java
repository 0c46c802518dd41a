package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input gets an error reply where one is possible, is dropped (and logged) where not, and
 * never stops the server: a real call succeeds after each.
 */
class MalformedInputTest {
  /** Each request needs its own correlation data, or the server takes it for a duplicate. */
  private static final java.util.concurrent.atomic.AtomicInteger CORRELATION =
      new java.util.concurrent.atomic.AtomicInteger();

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void malformedRequestsGetTheRightStatusAndTheServerKeepsServing(TestBroker broker)
      throws Exception {
    try (Rpc rpc = new Rpc(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      String unary = rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary";
      byte[] valid = Request.newBuilder().setText("a fairly long text").build().toByteArray();

      expect(rpc, device, Status.Code.INVALID_ARGUMENT, "not a valid protobuf",
          unary, Arrays.copyOf(valid, valid.length - 3), null);
      expect(rpc, device, Status.Code.INVALID_ARGUMENT, "not a valid protobuf",
          unary, new byte[] {0x0a, (byte) 0xff}, null);
      expect(rpc, device, Status.Code.INVALID_ARGUMENT, "not a valid JSON",
          unary, "{\"text\": ".getBytes(StandardCharsets.UTF_8), "application/json");
      expect(rpc, device, Status.Code.INVALID_ARGUMENT,
          "(the payload looks like JSON: send it with the content type application/json",
          unary, " {\"text\": \"x\"}\n".getBytes(StandardCharsets.UTF_8), null);
      expect(rpc, device, Status.Code.INVALID_ARGUMENT, "not a valid JSON",
          unary, "{\"noSuchField\": 1}".getBytes(StandardCharsets.UTF_8), "application/json");
      expect(rpc, device, Status.Code.INVALID_ARGUMENT, "unsupported content type 'text/plain'",
          unary, valid, "text/plain");
      expect(rpc, device, Status.Code.INVALID_ARGUMENT, "invalid grpc-timeout",
          unary, valid, null, new UserProperty("grpc-timeout", "soon"));
      expect(rpc, device, Status.Code.INVALID_ARGUMENT, "invalid metadata key",
          unary, valid, null, new UserProperty("bad key!", "x"));
      expect(rpc, device, Status.Code.INVALID_ARGUMENT, "not base64",
          unary, valid, null, new UserProperty("x-bin", "!!!"));
      expect(rpc, device, Status.Code.UNIMPLEMENTED, "Nope",
          rpc.prefix + "/grpcmqtt.test.v1.TestService/Nope", valid, null);
      expect(rpc, device, Status.Code.INVALID_ARGUMENT, "Correlation Data",
          rpc.prefix + "/grpcmqtt.test.v1.TestService/Bidi", valid, null, null, false);
      expect(rpc, device, Status.Code.INVALID_ARGUMENT, "unexpected grpc-ctl 'accept'",
          unary, valid, null, new UserProperty("grpc-ctl", "accept"));
      expect(rpc, device, Status.Code.INVALID_ARGUMENT, "unknown grpc-ctl 'resume'",
          unary, valid, null, new UserProperty("grpc-ctl", "resume"));
      expect(rpc, device, Status.Code.INVALID_ARGUMENT, "binary key 'x-a-bin' is not base64",
          unary, valid, null, new UserProperty("x-a-bin", "AQIDB"));

      UserProperty[] huge = new UserProperty[40];
      for (int i = 0; i < huge.length; i++) {
        huge[i] = new UserProperty("x-big-" + i, "v".repeat(1_000));
      }
      expect(rpc, device, Status.Code.RESOURCE_EXHAUSTED, "request metadata", unary, valid, null, huge);
      assertEquals(0, rpc.service.unaryInvocations.get(), "no bad request reached the handler");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void garbageOnEveryTopicTheServerWatchesChangesNothing(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      Random random = new Random(42);
      String[] topics = {
        rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary",
        rpc.prefix + "/grpcmqtt.test.v1.TestService/ServerStream",
        rpc.prefix + "/_server/" + rpc.serverId,
        rpc.prefix + "/_cancel",
        rpc.prefix + "/_status/client/someone",
      };
      int replies = 0;
      for (int i = 0; i < 200; i++) {
        byte[] payload = new byte[random.nextInt(64)];
        random.nextBytes(payload);
        String topic = topics[i % topics.length];
        boolean withCorrelation = random.nextBoolean();
        device.request(topic, payload, withCorrelation ? new byte[] {(byte) i} : null, null,
            new UserProperty("grpc-seq", Integer.toString(random.nextInt(5) - 1)));
      }
      // Whatever was answered was an answer, not a crash: drain and check each is a final status.
      MqttMessage reply;
      while ((reply = device.replies.poll(500, TimeUnit.MILLISECONDS)) != null) {
        assertTrue(RawMqttClient.property(reply, "grpc-status") != null
            || RawMqttClient.property(reply, "grpc-ctl") != null, "unexpected reply");
        replies++;
      }
      assertTrue(replies > 0, "some garbage requests deserve an answer");
      assertEquals("still here", rpc.blocking().unary(
          Request.newBuilder().setText("still here").build()).getText());
    }
  }

  private static void expect(Rpc rpc, RawMqttClient device, Status.Code code, String text,
      String topic, byte[] payload, String contentType, UserProperty... props) throws Exception {
    expect(rpc, device, code, text, topic, payload, contentType, props, true);
  }

  private static void expect(Rpc rpc, RawMqttClient device, Status.Code code, String text,
      String topic, byte[] payload, String contentType, UserProperty[] props,
      boolean withCorrelation) throws Exception {
    device.request(topic, payload,
        withCorrelation ? Integer.toString(CORRELATION.incrementAndGet()).getBytes(StandardCharsets.UTF_8) : null,
        contentType,
        props == null ? new UserProperty[0] : props);
    MqttMessage reply = device.nextReply();
    String message = RawMqttClient.property(reply, "grpc-message");
    assertEquals(Integer.toString(code.value()), RawMqttClient.property(reply, "grpc-status"),
        "status for '" + text + "': " + message);
    assertTrue(message != null && message.contains(text), "message '" + message + "' lacks '" + text + "'");
    assertEquals(0, reply.getPayload().length);
    // The server still serves a real call.
    assertEquals("ok", rpc.blocking().unary(Request.newBuilder().setText("ok").build()).getText());
    rpc.service.unaryInvocations.decrementAndGet();
  }
}
