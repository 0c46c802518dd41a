package io.grpcmqtt.samples.echo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.samples.echo.v1.CollectResponse;
import io.grpcmqtt.samples.echo.v1.EchoRequest;
import io.grpcmqtt.samples.echo.v1.EchoResponse;
import io.grpcmqtt.samples.echo.v1.ExpandRequest;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Echo service through the real runtime and a real broker: each call kind, and its errors. */
class EchoServiceTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void unaryEchoesTheMessageAfterItsDelayAndRejectsBadInput(TestBroker broker) throws Exception {
    try (EchoRpc rpc = new EchoRpc(broker)) {
      EchoResponse response = rpc.blocking().echo(request("hello, ünïcode"));
      assertEquals("hello, ünïcode", response.getMessage());
      assertEquals(0, response.getIndex());

      assertInvalid(
          "delay_ms must be in 0..10000, was 10001",
          assertThrows(
              StatusRuntimeException.class,
              () -> rpc.blocking().echo(request("x").toBuilder().setDelayMs(10_001).build())));
      assertInvalid(
          "message must be at most 4096 characters, was 4097",
          assertThrows(
              StatusRuntimeException.class, () -> rpc.blocking().echo(request("x".repeat(4097)))));

      // delay_ms delays the answer, but no further than the call's deadline.
      long t0 = System.nanoTime();
      EchoResponse slow = rpc.blocking().echo(request("slow").toBuilder().setDelayMs(200).build());
      assertEquals("slow", slow.getMessage());
      assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(200), "answered early");
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  rpc.blocking()
                      .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                      .echo(request("x").toBuilder().setDelayMs(10_000).build()));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void expandSendsCountIndexedMessagesAndRejectsBadCounts(TestBroker broker) throws Exception {
    try (EchoRpc rpc = new EchoRpc(broker)) {
      Iterator<EchoResponse> it = rpc.blocking().expand(expand("e", 500));
      int expected = 0;
      while (it.hasNext()) {
        EchoResponse r = it.next();
        assertEquals(expected++, r.getIndex());
        assertEquals("e", r.getMessage());
      }
      assertEquals(500, expected);

      assertFalse(rpc.blocking().expand(expand("none", 0)).hasNext());

      assertInvalid(
          "count must be in 0..10000, was -1",
          assertThrows(
              StatusRuntimeException.class, () -> rpc.blocking().expand(expand("x", -1)).hasNext()));
      assertInvalid(
          "count must be in 0..10000, was 10001",
          assertThrows(
              StatusRuntimeException.class,
              () -> rpc.blocking().expand(expand("x", 10_001)).hasNext()));
    }
  }

  /** A client that reads nothing holds Expand back; reading on lets it finish. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void expandWaitsForASlowClient(TestBroker broker) throws Exception {
    try (EchoRpc rpc = new EchoRpc(broker)) {
      int count = 2_000;
      List<Integer> indexes = new ArrayList<>();
      CompletableFuture<Void> done = new CompletableFuture<>();
      AtomicReference<ClientCallStreamObserver<ExpandRequest>> call = new AtomicReference<>();
      rpc.async()
          .expand(
              expand("slow reader", count),
              new ClientResponseObserver<ExpandRequest, EchoResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<ExpandRequest> requestStream) {
                  requestStream.disableAutoRequestWithInitial(1);
                  call.set(requestStream);
                }

                @Override
                public void onNext(EchoResponse value) {
                  synchronized (indexes) {
                    indexes.add(value.getIndex());
                  }
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

      await().atMost(Duration.ofSeconds(10)).until(() -> size(indexes) == 1);
      // The server may run ahead by the flow-control window (512 messages by default), not more.
      Thread.sleep(500);
      long sentWhileHeldBack = rpc.service.expandSent();
      assertTrue(
          sentWhileHeldBack <= 513,
          "the server sent " + sentWhileHeldBack + " of " + count + " to a client that read 1");
      assertEquals(1, size(indexes));

      call.get().request(Integer.MAX_VALUE);
      done.get(20, TimeUnit.SECONDS);
      synchronized (indexes) {
        assertEquals(count, indexes.size());
        for (int i = 0; i < count; i++) {
          assertEquals(i, indexes.get(i));
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void collectJoinsTheMessagesAndRejectsABadOne(TestBroker broker) throws Exception {
    try (EchoRpc rpc = new EchoRpc(broker)) {
      CompletableFuture<CollectResponse> joined = new CompletableFuture<>();
      StreamObserver<EchoRequest> requests = rpc.async().collect(last(joined));
      for (String word : List.of("one", "two", "three")) {
        requests.onNext(request(word));
      }
      requests.onCompleted();
      CollectResponse response = joined.get(10, TimeUnit.SECONDS);
      assertEquals("one two three", response.getMessage());
      assertEquals(3, response.getCount());

      CompletableFuture<CollectResponse> empty = new CompletableFuture<>();
      rpc.async().collect(last(empty)).onCompleted();
      assertEquals(CollectResponse.getDefaultInstance(), empty.get(10, TimeUnit.SECONDS));

      CompletableFuture<CollectResponse> failed = new CompletableFuture<>();
      StreamObserver<EchoRequest> bad = rpc.async().collect(last(failed));
      bad.onNext(request("fine"));
      bad.onNext(request("negative").toBuilder().setDelayMs(-1).build());
      assertInvalid("delay_ms must be in 0..10000, was -1", failure(failed));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void chatEchoesEachMessageAndStopsAtABadOne(TestBroker broker) throws Exception {
    try (EchoRpc rpc = new EchoRpc(broker)) {
      List<EchoResponse> received = new ArrayList<>();
      CompletableFuture<Void> done = new CompletableFuture<>();
      StreamObserver<EchoRequest> requests = rpc.async().chat(collecting(received, done));
      for (int i = 0; i < 50; i++) {
        requests.onNext(request("m" + i));
      }
      requests.onCompleted();
      done.get(10, TimeUnit.SECONDS);
      synchronized (received) {
        assertEquals(50, received.size());
        for (int i = 0; i < 50; i++) {
          assertEquals("m" + i, received.get(i).getMessage());
          assertEquals(i, received.get(i).getIndex());
        }
      }

      List<EchoResponse> beforeError = new ArrayList<>();
      CompletableFuture<Void> failed = new CompletableFuture<>();
      StreamObserver<EchoRequest> bad = rpc.async().chat(collecting(beforeError, failed));
      bad.onNext(request("first"));
      bad.onNext(request("y".repeat(5000)));
      assertInvalid("message must be at most 4096 characters, was 5000", failure(failed));
      synchronized (beforeError) {
        assertEquals(1, beforeError.size());
        assertEquals("first", beforeError.get(0).getMessage());
      }
    }
  }

  private static EchoRequest request(String message) {
    return EchoRequest.newBuilder().setMessage(message).build();
  }

  private static ExpandRequest expand(String message, int count) {
    return ExpandRequest.newBuilder().setMessage(message).setCount(count).build();
  }

  private static void assertInvalid(String description, StatusRuntimeException e) {
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
    assertEquals(description, e.getStatus().getDescription());
  }

  private static int size(List<?> list) {
    synchronized (list) {
      return list.size();
    }
  }

  private static StatusRuntimeException failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (StatusRuntimeException) e.getCause();
    }
    throw new AssertionError("the call succeeded but should have failed");
  }

  /** Completes {@code result} with the last message received, or fails it with the error. */
  private static <T> StreamObserver<T> last(CompletableFuture<T> result) {
    return new StreamObserver<>() {
      private T last;

      @Override
      public void onNext(T value) {
        last = value;
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        result.complete(last);
      }
    };
  }

  /** Adds every message to {@code received}; completes {@code done} when the call ends. */
  private static <T> StreamObserver<T> collecting(List<T> received, CompletableFuture<Void> done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        synchronized (received) {
          received.add(value);
        }
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    };
  }
}
