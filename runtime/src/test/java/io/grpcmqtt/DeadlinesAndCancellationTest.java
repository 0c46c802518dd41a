package io.grpcmqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Deadlines and cancellation cross the broker in both directions. */
class DeadlinesAndCancellationTest {
  private static final Request HANG = Request.newBuilder().setHang(true).build();

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void unaryDeadlineFailsTheCallAndCancelsTheHandler(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      rpc.warmUp();
      long start = System.nanoTime();
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  TestServiceGrpc.newBlockingStub(rpc.channel)
                      .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                      .unary(HANG));
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      assertTrue(elapsedMs < 3_000, "took " + elapsedMs + " ms");
      assertEquals("Unary", rpc.service.cancellations.poll(5, TimeUnit.SECONDS));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void defaultDeadlineAppliesToCallsWithoutOne(TestBroker broker) throws Exception {
    try (Rpc rpc =
        new Rpc(
            broker,
            service -> MqttServerBuilder.forBroker(broker.uri()),
            MqttChannelBuilder.forBroker(broker.uri()).defaultDeadline(Duration.ofMillis(400)))) {
      rpc.warmUp();
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> TestServiceGrpc.newBlockingStub(rpc.channel).unary(HANG));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      assertEquals("Unary", rpc.service.cancellations.poll(5, TimeUnit.SECONDS));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void serverEnforcesTheDeadlineItReceives(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      // A client that never cancels: only the server's own deadline can end the handler.
      device.request(
          rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary",
          HANG.toByteArray(),
          new byte[] {9},
          null,
          new UserProperty("grpc-timeout", "2S"));
      // Long enough for the handler to start on a loaded machine: a deadline that passes before
      // the handler runs cancels the call before it can register its cancellation handler.
      assertEquals("Unary", rpc.service.startedHanging.poll(10, TimeUnit.SECONDS));
      assertEquals("Unary", rpc.service.cancellations.poll(10, TimeUnit.SECONDS));
      MqttMessage reply = device.nextReply();
      assertEquals(
          Integer.toString(Status.Code.DEADLINE_EXCEEDED.value()),
          RawMqttClient.property(reply, "grpc-status"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void clientCancelReachesServerStreamingHandler(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      Context.CancellableContext context = Context.current().withCancellation();
      CompletableFuture<Void> result = new CompletableFuture<>();
      context.run(() -> rpc.async().serverStream(HANG, CallKindsTest.ending(result)));
      await().atMost(Duration.ofSeconds(5)).until(() -> rpc.server.getServices().size() == 1);
      // Give the request time to reach the handler before cancelling it.
      awaitHandlerStarted(rpc);
      context.cancel(null);
      assertEquals("ServerStream", rpc.service.cancellations.poll(5, TimeUnit.SECONDS));
      assertEquals(Status.Code.CANCELLED, CallKindsTest.failure(result).getStatus().getCode());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void clientCancelReachesBidiHandler(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      AtomicReference<ClientCallStreamObserver<Request>> call = new AtomicReference<>();
      CompletableFuture<Void> closed = new CompletableFuture<>();
      StreamObserver<Request> requests =
          rpc.async()
              .bidi(
                  new ClientResponseObserver<Request, Response>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<Request> requestStream) {
                      call.set(requestStream);
                    }

                    @Override
                    public void onNext(Response value) {}

                    @Override
                    public void onError(Throwable t) {
                      closed.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                      closed.complete(null);
                    }
                  });
      requests.onNext(Request.newBuilder().setText("before").build());
      requests.onNext(HANG);
      awaitHandlerStarted(rpc);
      call.get().cancel("test cancels", null);
      assertEquals("Bidi", rpc.service.cancellations.poll(5, TimeUnit.SECONDS));
      assertEquals(Status.Code.CANCELLED, CallKindsTest.failure(closed).getStatus().getCode());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void serverSideCancellationReachesTheClient(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      // The handler ends the stream with CANCELLED itself: the client sees that status.
      Request cancelled =
          Request.newBuilder().setFailCode(Status.Code.CANCELLED.value()).setFailMessage("server gave up").build();
      CompletableFuture<Response> result = new CompletableFuture<>();
      StreamObserver<Request> requests = rpc.async().bidi(CallKindsTest.observer(result));
      requests.onNext(cancelled);
      StatusRuntimeException e = CallKindsTest.failure(result);
      assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
      assertEquals("server gave up", e.getStatus().getDescription());
    }
  }

  /** Waits until the hanging handler has registered its cancel handler. */
  private static void awaitHandlerStarted(Rpc rpc) {
    await().atMost(Duration.ofSeconds(5)).until(() -> rpc.service.hanging.get() > 0);
  }
}
