package io.grpcmqtt;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Predicate;

/**
 * Closed-loop unary calls from a few threads, every call recorded, for the failover tests: half
 * the threads call {@code Unary}, half {@code IdempotentUnary}. Runs until closed, and at most
 * {@code maxRun}.
 */
final class UnaryLoad implements AutoCloseable {
  /** One call: when it started and ended, what it called and how it ended. */
  record Call(long startNanos, long endNanos, boolean idempotent, Status.Code code, String server) {
    boolean inFlightAt(long nanos) {
      return startNanos <= nanos && endNanos > nanos;
    }
  }

  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  /** Per thread: the start of the call it is in, or of the one it will make next. */
  private final AtomicLongArray current;
  private final long stopAt;
  private volatile boolean stopped;

  UnaryLoad(ManagedChannel channel, int threadCount, Duration deadline, Duration maxRun) {
    this.stopAt = System.nanoTime() + maxRun.toNanos();
    this.current = new AtomicLongArray(threadCount);
    for (int i = 0; i < threadCount; i++) {
      boolean idempotent = i % 2 == 1;
      int n = i;
      Thread t = new Thread(() -> run(channel, idempotent, deadline, n), "unary-load-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private void run(ManagedChannel channel, boolean idempotent, Duration deadline, int thread) {
    var stub = TestServiceGrpc.newBlockingStub(channel);
    for (long i = 0; !stopped && System.nanoTime() - stopAt < 0; i++) {
      Request request = Request.newBuilder().setText("t" + thread + "-" + i).build();
      long start = System.nanoTime();
      current.set(thread, start);
      Status.Code code = Status.Code.OK;
      String server = "";
      try {
        var timed = stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
        Response r = idempotent ? timed.idempotentUnary(request) : timed.unary(request);
        server = r.getServer();
      } catch (StatusRuntimeException e) {
        code = e.getStatus().getCode();
      }
      calls.add(new Call(start, System.nanoTime(), idempotent, code, server));
      current.set(thread, System.nanoTime());
      if (code != Status.Code.OK) {
        try {
          Thread.sleep(20); // a caller backs off after a failure instead of spinning
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** The calls recorded so far that match. */
  List<Call> calls(Predicate<Call> which) {
    List<Call> out = new ArrayList<>();
    for (Call c : calls) {
      if (which.test(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /** Calls started in [from, to). */
  List<Call> startedBetween(long from, long to) {
    return calls(c -> c.startNanos >= from && c.startNanos < to);
  }

  /** Waits until every call started before {@code nanos} has ended (each has a deadline). */
  void awaitEndOfCallsStartedBefore(long nanos, Duration timeout) throws InterruptedException {
    long limit = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < current.length(); i++) {
      while (current.get(i) - nanos < 0) {
        if (System.nanoTime() - limit > 0) {
          throw new AssertionError("a call started before the mark still runs after " + timeout);
        }
        Thread.sleep(20);
      }
    }
  }

  /** Counts by status code. */
  static Map<Status.Code, Integer> byCode(List<Call> calls) {
    Map<Status.Code, Integer> counts = new EnumMap<>(Status.Code.class);
    for (Call c : calls) {
      counts.merge(c.code, 1, Integer::sum);
    }
    return counts;
  }

  /** Answered calls by the instance that answered. */
  static Map<String, Integer> byServer(List<Call> calls) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Call c : calls) {
      if (c.code == Status.Code.OK) {
        counts.merge(c.server, 1, Integer::sum);
      }
    }
    return counts;
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
    for (int i = 0; i < current.length(); i++) {
      current.set(i, Long.MAX_VALUE);
    }
  }
}
