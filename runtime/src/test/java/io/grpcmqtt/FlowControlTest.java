package io.grpcmqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A slow reader slows its producer: a flow-controlled server stream never runs more than the
 * window ahead of what the client has read, so neither side's memory grows with the stream.
 */
class FlowControlTest {
  private static final int WINDOW = 16;
  /** The window, plus messages gRPC itself holds between the transport and the application. */
  private static final int MAX_AHEAD = WINDOW + 4;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void slowReaderBoundsWhatTheServerHasSent(TestBroker broker) throws Exception {
    try (Rpc rpc =
        new Rpc(
            broker,
            service -> MqttServerBuilder.forBroker(broker.uri()).flowControlWindow(WINDOW),
            MqttChannelBuilder.forBroker(broker.uri()).flowControlWindow(WINDOW))) {
      AtomicInteger read = new AtomicInteger();
      AtomicReference<ClientCallStreamObserver<Request>> call = new AtomicReference<>();
      CompletableFuture<Void> done = new CompletableFuture<>();
      Request request =
          Request.newBuilder()
              .setCount(100_000)
              .setFlowControlled(true)
              .setBlob(ByteString.copyFrom(new byte[10_000]))
              .build();
      rpc.async()
          .withDeadlineAfter(60, TimeUnit.SECONDS)
          .serverStream(
              request,
              new ClientResponseObserver<Request, Response>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<Request> stream) {
                  call.set(stream);
                  stream.disableAutoRequestWithInitial(0);
                }

                @Override
                public void onNext(Response value) {
                  assertEquals(read.getAndIncrement(), value.getIndex());
                }

                @Override
                public void onError(Throwable t) {
                  done.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                  done.complete(null);
                }
              });

      for (int round = 1; round <= 5; round++) {
        int target = round * 50;
        call.get().request(50);
        await().atMost(Duration.ofSeconds(10)).until(() -> read.get() == target);
        // Let the server run ahead as far as it can, then check how far that is.
        await()
            .pollDelay(Duration.ofMillis(300))
            .atMost(Duration.ofSeconds(10))
            .until(() -> rpc.service.streamed.get() >= target);
        int ahead = rpc.service.streamed.get() - read.get();
        assertTrue(
            ahead <= MAX_AHEAD,
            "server ran " + ahead + " messages ahead of a reader that read " + read.get());
      }
      call.get().cancel("enough", null);
      assertEquals("ServerStream", rpc.service.cancellations.poll(10, TimeUnit.SECONDS));
      assertTrue(rpc.service.streamed.get() < 300 + MAX_AHEAD);
    }
  }
}
