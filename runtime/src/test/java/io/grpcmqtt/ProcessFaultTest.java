package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kill -9 of either end of a stream: the other end learns of it from the last will, which the
 * broker publishes as soon as it sees the connection close (clean sessions, no will delay),
 * instead of waiting for a deadline.
 */
class ProcessFaultTest {
  /** The will is immediate; the rest is slack for a loaded 2-core machine. */
  private static final Duration BOUND = Duration.ofSeconds(5);
  private static final AtomicInteger COUNTER = new AtomicInteger();

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void killedServerFailsItsStreamsWithUnavailable(TestBroker broker) throws Exception {
    String prefix = "kill-server-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    String serverId = "faultsrv" + COUNTER.get();
    ManagedChannel channel =
        MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).build();
    try (JavaProcess server =
        JavaProcess.start(FaultProcess.class, "server", broker.uri(), prefix, serverId)) {
      server.awaitLine("READY", Duration.ofSeconds(30));
      CompletableFuture<Void> ended = new CompletableFuture<>();
      CompletableFuture<Void> streaming = new CompletableFuture<>();
      TestServiceGrpc.newStub(channel)
          .withDeadlineAfter(60, TimeUnit.SECONDS)
          .serverStream(
              Request.newBuilder().setHang(true).build(),
              new StreamObserver<Response>() {
                @Override
                public void onNext(Response value) {
                  streaming.complete(null);
                }

                @Override
                public void onError(Throwable t) {
                  ended.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                  ended.complete(null);
                }
              });
      streaming.get(20, TimeUnit.SECONDS);

      long start = System.nanoTime();
      server.kill();
      StatusRuntimeException e = CallKindsTest.failure(ended, BOUND.toSeconds() + 5);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf("[%s] killed server: stream failed after %d ms (%s)%n",
          broker, ms, e.getStatus());
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains(serverId), e.getMessage());
      assertTrue(ms < BOUND.toMillis(), "took " + ms + " ms");
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void killedClientHasItsHandlerCancelled(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker);
        JavaProcess client =
            JavaProcess.start(
                FaultProcess.class, "client", broker.uri(), rpc.prefix,
                "faultcli" + COUNTER.incrementAndGet())) {
      assertEquals("ServerStream", rpc.service.startedHanging.poll(30, TimeUnit.SECONDS),
          "the client never started its stream: " + client.output());

      long start = System.nanoTime();
      client.kill();
      String cancelled = rpc.service.cancellations.poll(BOUND.toSeconds() + 5, TimeUnit.SECONDS);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf("[%s] killed client: handler cancelled after %d ms%n", broker, ms);
      assertEquals("ServerStream", cancelled);
      assertTrue(ms < BOUND.toMillis(), "took " + ms + " ms");
    }
  }
}
