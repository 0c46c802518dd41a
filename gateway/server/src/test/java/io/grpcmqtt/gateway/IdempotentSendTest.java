package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
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
 * the broker — gets one message and the first msg_id, on both brokers and both stores, over MQTT
 * and HTTP/2.
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

  /**
   * The key works the same on every transport, as the request's field or as an {@code
   * idempotency-key} header: a retry over HTTP/2 of a Send made over MQTT (and the reverse) gets
   * the first msg_id and stores nothing. Both stores, one broker (the transports are the point).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.gateway.StoreKind#both")
  void aRetryOverEitherTransportWithTheFieldOrTheHeaderGetsTheFirstMsgId(StoreKind kind) throws Exception {
    try (StoreKind.Location location = kind.newLocation();
        TestGateway gw = new TestGateway(Brokers.hivemq(), location)) {
      ManagedChannel http2 = Transport.HTTP2.channel(gw);
      try {
        String topic = gw.topic("payments");
        SendRequest byField = SendRequest.newBuilder().setTopic(topic).setIdempotencyKey("pay-1")
            .setPayload(ByteString.copyFromUtf8("1")).build();
        String first = send(gw.channel, byField, null);
        assertEquals(first, send(http2, byField, null), "the field, MQTT then HTTP/2");

        SendRequest bare = SendRequest.newBuilder().setTopic(topic).setPayload(ByteString.copyFromUtf8("2")).build();
        String second = send(http2, bare, "pay-2");
        assertEquals(second, send(http2, bare, "pay-2"), "the header over HTTP/2");
        assertEquals(second, send(gw.channel, bare, "pay-2"), "the header over MQTT");
        assertEquals(second, send(gw.channel, bare.toBuilder().setIdempotencyKey("pay-2").build(), null),
            "the field and the header are one key");
        assertNotEquals(first, second);

        List<Message> all = GatewaySemanticsTest.receive(gw, topic, 100, 2_000, 600_000);
        assertEquals(List.of(first, second), all.stream().map(Message::getMsgId).toList(), "one message per key");
      } finally {
        http2.shutdownNow();
      }
    }
  }

  private static String send(ManagedChannel channel, SendRequest request, String headerKey) {
    RobustMQGatewayGrpc.RobustMQGatewayBlockingStub stub =
        RobustMQGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    if (headerKey != null) {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER), headerKey);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    return stub.send(request).getMsgId();
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
