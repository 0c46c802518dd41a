package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.gateway.v1.SendResponse;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client that retries a Send after UNAVAILABLE or DEADLINE_EXCEEDED — here across a restart of
 * the broker — gets one message and the first msg_id, on both brokers and both stores.
 */
class IdempotentSendTest {
  private static final Set<Status.Code> RETRYABLE = Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);

  static Stream<Arguments> brokersAndStores() {
    // Both brokers and both stores, without the whole cross product (IdempotencyKeyStoreTest
    // covers the stores' side of it on both).
    return Stream.of(Arguments.of("hivemq", StoreKind.H2), Arguments.of("mosquitto", StoreKind.POSTGRES));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("brokersAndStores")
  void aSendRetriedAcrossABrokerRestartIsStoredOnce(String brokerName, StoreKind kind) throws Exception {
    // A broker of the test's own, which it may stop and start.
    TestBroker broker = brokerName.equals("hivemq") ? Brokers.newHivemq() : Brokers.newMosquitto();
    try (AutoCloseable closeBroker = (AutoCloseable) broker;
        StoreKind.Location location = kind.newLocation();
        TestGateway gw = new TestGateway(broker, location)) {
      String topic = gw.topic("orders");
      SendRequest first = SendRequest.newBuilder().setTopic(topic).setIdempotencyKey("order-17")
          .setPayload(ByteString.copyFromUtf8("17")).build();
      String id = gw.blocking().send(first).getMsgId();
      // A Send under way when the broker goes: stored or not, answered or not, its retries make
      // one message. And the first Send's answer may have been lost: its client retries too.
      SendRequest second = first.toBuilder().setIdempotencyKey("order-18").setPayload(ByteString.copyFromUtf8("18")).build();
      CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> sendUntilAnswered(gw, second));
      broker.stop();
      CompletableFuture<String> retried = CompletableFuture.supplyAsync(() -> sendUntilAnswered(gw, first));
      broker.start();
      assertEquals(id, retried.get(90, TimeUnit.SECONDS), "the retry gets the first msg_id");
      String secondId = inFlight.get(90, TimeUnit.SECONDS);
      assertEquals(secondId, sendUntilAnswered(gw, second), "and so does every later retry");
      assertNotEquals(id, secondId);

      List<Message> all = GatewaySemanticsTest.receive(gw, topic, 100, 2_000, 600_000);
      assertEquals(List.of(id, secondId), all.stream().map(Message::getMsgId).toList(), "one message per key");
      assertEquals(List.of("17", "18"), GatewaySemanticsTest.payloads(all));
    }
  }

  /** Sends until an answer comes (at most 60 s), retrying UNAVAILABLE and DEADLINE_EXCEEDED. */
  private static String sendUntilAnswered(TestGateway gw, SendRequest request) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    StatusRuntimeException last = null;
    while (System.nanoTime() < end) {
      try {
        SendResponse r = RobustMQGatewayGrpc.newBlockingStub(gw.channel).withDeadlineAfter(3, TimeUnit.SECONDS)
            .send(request);
        return r.getMsgId();
      } catch (StatusRuntimeException e) {
        assertTrue(RETRYABLE.contains(e.getStatus().getCode()), e.getStatus().toString());
        last = e;
        try {
          Thread.sleep(200); // a client's retry back-off, not a wait for a condition
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new AssertionError(ie);
        }
      }
    }
    throw new AssertionError("no answer within 60 s; last: " + last);
  }
}
