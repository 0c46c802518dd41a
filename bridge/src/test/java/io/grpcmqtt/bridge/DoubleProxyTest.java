package io.grpcmqtt.bridge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpcmqtt.bridge.internal.RawMarshaller;
import io.grpcmqtt.bridge.test.v1.EchoProto;
import io.grpcmqtt.bridge.test.v1.EchoRequest;
import io.grpcmqtt.bridge.test.v1.EchoResponse;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An unmodified generated stub calls a plain grpc-netty server through both proxies: stub →
 * ingress (HTTP/2) → broker → egress → server (HTTP/2).
 */
class DoubleProxyTest {
  private static final MethodTypes DESCRIBED = MethodTypes.of(List.of(EchoProto.getDescriptor()));

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void everyCallKindWithDescriptors(TestBroker broker) throws Exception {
    try (Topology t = Topology.doubleProxy(broker, DESCRIBED)) {
      CallKinds.all(t);
    }
  }

  /** Without descriptors every call crosses MQTT as bidi; the egress serves any kind that way. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void everyCallKindAsBidiWithoutDescriptors(TestBroker broker) throws Exception {
    try (Topology t = Topology.doubleProxy(broker, MethodTypes.allBidi())) {
      CallKinds.all(t);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void errorStatusKeepsCodeMessageAndTrailers(TestBroker broker) throws Exception {
    try (Topology t = Topology.doubleProxy(broker, MethodTypes.allBidi())) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> t.blocking().unary(
                  EchoRequest.newBuilder().setText("not there").setFailCode(5).build()));
      assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
      assertEquals("not there", e.getStatus().getDescription());
      assertEquals("detail-of-not there", e.getTrailers().get(EchoService.ERROR_DETAIL));
      assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, e.getTrailers().get(EchoService.ERROR_BIN));
      assertEquals("closed-NOT_FOUND", e.getTrailers().get(EchoService.CALL_TRAILER));

      // An error after some messages of a stream: the messages, then the status.
      CallKinds.Outcome outcome = CallKinds.bidiAll(t,
          EchoRequest.newBuilder().setText("one").build(),
          EchoRequest.newBuilder().setText("late failure").setFailCode(9).build());
      assertEquals(1, outcome.responses.size());
      assertEquals("one", outcome.responses.get(0).getText());
      Status late = Status.fromThrowable(outcome.error);
      assertEquals(Status.Code.FAILED_PRECONDITION, late.getCode());
      assertEquals("late failure", late.getDescription());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void deadlineReachesTheFarServer(TestBroker broker) throws Exception {
    try (Topology t = Topology.doubleProxy(broker, DESCRIBED)) {
      EchoResponse r =
          t.blocking().withDeadlineAfter(15, TimeUnit.SECONDS)
              .unary(EchoRequest.newBuilder().setText("d").build());
      assertTrue(r.getDeadlineMs() > 0 && r.getDeadlineMs() <= 15_000, "far deadline " + r.getDeadlineMs());

      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> t.blocking().withDeadlineAfter(1, TimeUnit.SECONDS)
                  .unary(EchoRequest.newBuilder().setText("slow").setSleepMs(4_000).build()));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      // The far server's own context expired too, so it stopped working on the call.
      assertEquals("Unary:slow", t.service.cancelled.poll(15, TimeUnit.SECONDS));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void cancellationReachesTheFarServer(TestBroker broker) throws Exception {
    try (Topology t = Topology.doubleProxy(broker, DESCRIBED)) {
      cancelWhileHanging(t, "Bidi");
      cancelWhileHanging(t, "ServerStream");
    }
  }

  /** Starts a call the far service never answers, cancels it, and waits for the far side to see it. */
  static void cancelWhileHanging(Topology t, String method) throws Exception {
    CompletableFuture<ClientCallStreamObserver<EchoRequest>> started = new CompletableFuture<>();
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    ClientResponseObserver<EchoRequest, EchoResponse> observer =
        new ClientResponseObserver<>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<EchoRequest> requestStream) {
            started.complete(requestStream);
          }

          @Override
          public void onNext(EchoResponse value) {}

          @Override
          public void onError(Throwable t) {
            ended.complete(t);
          }

          @Override
          public void onCompleted() {
            ended.complete(null);
          }
        };
    EchoRequest hang = EchoRequest.newBuilder().setText("hang-" + method).setHang(true).build();
    if (method.equals("Bidi")) {
      t.async().bidi(observer).onNext(hang);
    } else {
      t.async().serverStream(hang, observer);
    }
    String what = method + ":hang-" + method;
    // Cancel only once the far service holds the call, so the cancellation has to travel.
    await().atMost(Duration.ofSeconds(15)).until(() -> t.service.hanging.contains(what));
    started.get(15, TimeUnit.SECONDS).cancel("test cancels", null);
    assertEquals(what, t.service.cancelled.poll(15, TimeUnit.SECONDS));
    Throwable error = ended.get(15, TimeUnit.SECONDS);
    assertEquals(Status.Code.CANCELLED, Status.fromThrowable(error).getCode());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void unknownMethodIsUnimplementedByTheFarServer(TestBroker broker) throws Exception {
    try (Topology t = Topology.doubleProxy(broker, DESCRIBED)) {
      MethodDescriptor<byte[], byte[]> nope =
          MethodDescriptor.newBuilder(RawMarshaller.INSTANCE, RawMarshaller.INSTANCE)
              .setFullMethodName(Topology.SERVICE + "/Nope")
              .setType(MethodDescriptor.MethodType.UNARY)
              .build();
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> ClientCalls.blockingUnaryCall(
                  t.client, nope, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                  new byte[0]));
      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("Nope"), e.getStatus().getDescription());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void noServerBehindTheBrokerIsUnavailable(TestBroker broker) throws Exception {
    try (Topology t = Topology.ingressAlone(broker)) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> t.blocking().unary(EchoRequest.newBuilder().setText("x").build()));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("no server is subscribed"),
          e.getStatus().getDescription());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void farServerDownIsUnavailable(TestBroker broker) throws Exception {
    try (Topology t = Topology.egressToNowhere(broker, Topology.freePort())) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> t.blocking().unary(EchoRequest.newBuilder().setText("x").build()));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }
  }
}
