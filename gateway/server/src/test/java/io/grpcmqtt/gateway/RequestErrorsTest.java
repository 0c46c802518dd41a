package io.grpcmqtt.gateway;

import static io.grpcmqtt.gateway.GatewaySemanticsTest.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpcmqtt.gateway.internal.GatewayService;
import io.grpcmqtt.gateway.v1.AckRequest;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.testing.Brokers;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every refused request gets the right code and a message that names the problem. (Unpaired
 * surrogates cannot be sent from Java, whose protobuf encoder turns them into '?': see
 * DeviceSendRefusalsTest for them, in JSON.)
 */
class RequestErrorsTest {
  private static final String LONG_TOPIC = "t/" + "x".repeat(GatewayLimits.MAX_TOPIC_BYTES);

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void badRequestsAreRefusedWithClearMessages(StoreKind kind, Transport transport) {
    try (StoreKind.Location location = kind.newLocation();
        LogCapture serviceLog = new LogCapture(GatewayService.class);
        TestGateway gw = new TestGateway(Brokers.hivemq(), location, transport, b -> b.maxPayloadBytes(1_000))) {
      String ok = gw.topic("ok");
      List<Object[]> badTopics = List.of(
          new Object[] {"", "must not be empty"},
          new Object[] {"a/+/b", "wildcards"},
          new Object[] {"a/#", "wildcards"},
          new Object[] {"$SYS/x", "'$'"},
          new Object[] {LONG_TOPIC, "the limit is 1024 bytes"},
          new Object[] {gw.prefix + "/x", "reserved"},
          new Object[] {"grpc/robustmq.gateway.v1.RobustMQGateway/Send", "reserved"},
          new Object[] {"gateway/send/x", "reserved"},
          new Object[] {"gateway/instances/x", "reserved"},
          new Object[] {"a//b", "has an empty level"},
          new Object[] {"/a", "has an empty level"},
          new Object[] {"a/", "has an empty level"},
          new Object[] {"a\u0001b", "'a\\u0001b' contains the control character U+0001 at index 1"},
          new Object[] {"a\nb", "control character U+000A"},
          new Object[] {"a\u0085", "control character U+0085"},
          new Object[] {"x\uffff", "noncharacter U+FFFF"},
          new Object[] {"x\ud83f\udffe", "noncharacter U+1FFFE"});
      for (Object[] bad : badTopics) {
        String topic = (String) bad[0];
        String expected = (String) bad[1];
        assertStatus(Status.Code.INVALID_ARGUMENT, expected, () -> send(gw, topic, new byte[1]));
        assertStatus(Status.Code.INVALID_ARGUMENT, expected, () -> gw.blocking().receive(receive(topic, 1)));
        assertStatus(Status.Code.INVALID_ARGUMENT, expected, () -> streamError(gw, receive(topic, 1)));
        assertStatus(Status.Code.INVALID_ARGUMENT, expected,
            () -> gw.blocking().ack(AckRequest.newBuilder().setTopic(topic).setMsgId("1").build()));
      }
      for (int limit : new int[] {GatewayLimits.MAX_RECEIVE_LIMIT + 1, -1}) {
        String expected = "limit must be between 1 and 1000 (0 or unset means 1), was " + Integer.toUnsignedString(limit);
        assertStatus(Status.Code.INVALID_ARGUMENT, expected, () -> gw.blocking().receive(receive(ok, limit)));
        assertStatus(Status.Code.INVALID_ARGUMENT, expected, () -> streamError(gw, receive(ok, limit)));
      }
      assertStatus(Status.Code.INVALID_ARGUMENT, "visibility_timeout_ms must be at most",
          () -> gw.blocking().receive(receive(ok, 1).toBuilder()
              .setVisibilityTimeoutMs(GatewayLimits.MAX_VISIBILITY_TIMEOUT_MS + 1).build()));
      assertStatus(Status.Code.RESOURCE_EXHAUSTED, "payload is 1001 bytes; the limit is 1000 bytes",
          () -> send(gw, ok, new byte[1_001]));
      SendRequest.Builder manyHeaders = SendRequest.newBuilder().setTopic(ok);
      for (int i = 0; i <= GatewayLimits.MAX_HEADERS; i++) {
        manyHeaders.putHeaders("h" + i, "v");
      }
      assertStatus(Status.Code.RESOURCE_EXHAUSTED, "65 headers; the limit is 64",
          () -> gw.blocking().send(manyHeaders.build()));
      assertStatus(Status.Code.RESOURCE_EXHAUSTED, "headers take",
          () -> gw.blocking().send(SendRequest.newBuilder().setTopic(ok).putHeaders("big", "v".repeat(9_000)).build()));
      assertStatus(Status.Code.INVALID_ARGUMENT, "reserved for the Gateway",
          () -> gw.blocking().send(SendRequest.newBuilder().setTopic(ok).putHeaders("robustmq-msg-id", "1").build()));
      assertStatus(Status.Code.INVALID_ARGUMENT, "msg_id must not be empty",
          () -> gw.blocking().ack(AckRequest.newBuilder().setTopic(ok).build()));
      assertStatus(Status.Code.INVALID_ARGUMENT, "header 'unit': value 'C\\u000A' contains the control character U+000A",
          () -> gw.blocking().send(SendRequest.newBuilder().setTopic(ok).putHeaders("unit", "C\n").build()));
      assertStatus(Status.Code.INVALID_ARGUMENT, "header name 'u\\u0007' contains the control character U+0007",
          () -> gw.blocking().send(SendRequest.newBuilder().setTopic(ok).putHeaders("u\u0007", "C").build()));
      assertStatus(Status.Code.INVALID_ARGUMENT, "idempotency_key is 257 bytes long; the limit is 256 bytes",
          () -> gw.blocking().send(SendRequest.newBuilder().setTopic(ok).setIdempotencyKey("k".repeat(257)).build()));
      assertStatus(Status.Code.INVALID_ARGUMENT, "idempotency_key 'k\\u0000' contains the control character U+0000",
          () -> gw.blocking().send(SendRequest.newBuilder().setTopic(ok).setIdempotencyKey("k\0").build()));

      // Nothing was stored by any of that, and the Gateway still serves.
      assertEquals(0, GatewaySemanticsTest.receive(gw, ok, 10, 0, 0).size());
      send(gw, ok, new byte[1_000]);
      send(gw, ok, new byte[1]);
      // A forgotten limit means one message.
      assertEquals(1, gw.blocking().receive(ReceiveRequest.newBuilder().setTopic(ok).build()).getMessagesCount());
      assertEquals(1, GatewaySemanticsTest.receive(gw, ok, 10, 0, 0).size());
      // Every refusal went to its caller: none is worth a log line (only one-way publishes are).
      assertEquals(List.of(), serviceLog.lines());
    }
  }

  private static void send(TestGateway gw, String topic, byte[] payload) {
    gw.blocking().send(SendRequest.newBuilder().setTopic(topic).setPayload(ByteString.copyFrom(payload)).build());
  }

  private static ReceiveRequest receive(String topic, int limit) {
    return ReceiveRequest.newBuilder().setTopic(topic).setLimit(limit).build();
  }

  private static void streamError(TestGateway gw, ReceiveRequest request) {
    Iterator<?> it = gw.blocking().receiveStream(request);
    it.hasNext();
  }

  private static void assertStatus(Status.Code code, String messagePart, Runnable call) {
    StatusRuntimeException e = error(call);
    assertEquals(code, e.getStatus().getCode(), e.getMessage());
    String description = e.getStatus().getDescription();
    assertTrue(description != null && description.contains(messagePart),
        "'" + description + "' should contain '" + messagePart + "'");
  }
}
