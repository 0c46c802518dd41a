package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.testing.Brokers;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A server stream of 100,000 messages of 1 KiB (about 100 MiB in all) to a consumer slower than
 * the producer: the heap of this JVM, which holds both client and server, stays within a bound
 * far below the stream's size, because the server only ever runs a window ahead. Mosquitto runs
 * in its own process, so its queues are not on this heap.
 */
class SlowConsumerTest {
  private static final int MESSAGES = 100_000;
  /** The stated bound on heap growth while streaming. */
  private static final long HEAP_BOUND = 48L * 1024 * 1024;

  @Test
  void hundredThousandMessagesToASlowConsumerKeepTheHeapBounded() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (Rpc rpc = new Rpc(Brokers.mosquitto())) {
      rpc.warmUp();
      System.gc();
      long baseline = memory.getHeapMemoryUsage().getUsed();
      AtomicLong peak = new AtomicLong();
      AtomicInteger read = new AtomicInteger();
      CompletableFuture<Void> done = new CompletableFuture<>();
      Request request =
          Request.newBuilder()
              .setCount(MESSAGES)
              .setFlowControlled(true)
              .setBlob(ByteString.copyFrom(new byte[1024]))
              .build();
      long start = System.nanoTime();
      rpc.async()
          .withDeadlineAfter(180, TimeUnit.SECONDS)
          .serverStream(
              request,
              new ClientResponseObserver<Request, Response>() {
                private ClientCallStreamObserver<Request> call;

                @Override
                public void beforeStart(ClientCallStreamObserver<Request> stream) {
                  call = stream;
                  stream.disableAutoRequestWithInitial(1);
                }

                @Override
                public void onNext(Response value) {
                  int n = read.getAndIncrement();
                  assertEquals(n, value.getIndex());
                  // The slow part: some work per message, more than the producer does.
                  consume(value);
                  if (n % 5_000 == 0) {
                    System.gc();
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                  }
                  call.request(1);
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
      done.get(200, TimeUnit.SECONDS);
      long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
      long growth = peak.get() - baseline;
      System.out.printf(
          "slow consumer: %d messages of 1 KiB in %d s; heap %d MiB at start, peak %d MiB"
              + " (growth %d MiB, bound %d MiB)%n",
          read.get(), seconds, baseline >> 20, peak.get() >> 20, growth >> 20, HEAP_BOUND >> 20);
      assertEquals(MESSAGES, read.get());
      assertTrue(growth < HEAP_BOUND, "heap grew by " + (growth >> 20) + " MiB");
    }
  }

  private static long sink;

  private static void consume(Response value) {
    long h = 0;
    for (int round = 0; round < 20; round++) {
      for (byte b : value.getBlob().toByteArray()) {
        h = 31 * h + b;
      }
    }
    sink += h;
  }
}
