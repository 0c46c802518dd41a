package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.MosquittoBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;

/**
 * Mosquitto restarts under a load of unary calls: every call ends, either with its answer or a
 * clear status; none hangs; no handler runs twice; and calls succeed again once it is back.
 */
class BrokerRestartTest {
  private static final int THREADS = 8;
  private static final Duration LOAD = Duration.ofSeconds(12);
  private static final long CALL_DEADLINE_MS = 3_000;

  @Test
  void callsEndClearlyAcrossABrokerRestart() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (MosquittoBroker broker = Brokers.newMosquitto();
        Rpc rpc = new Rpc(broker)) {
      rpc.warmUp();
      AtomicInteger sequence = new AtomicInteger();
      long end = System.nanoTime() + LOAD.toNanos();
      List<Future<Map<Status.Code, Integer>>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        workers.add(pool.submit(() -> {
          Map<Status.Code, Integer> outcomes = new EnumMap<>(Status.Code.class);
          while (System.nanoTime() < end) {
            String text = "r" + sequence.incrementAndGet();
            Status.Code code;
            long start = System.nanoTime();
            try {
              TestServiceGrpc.newBlockingStub(rpc.channel)
                  .withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS)
                  .unary(Request.newBuilder().setText(text).build());
              code = Status.Code.OK;
            } catch (StatusRuntimeException e) {
              code = e.getStatus().getCode();
              // A real client backs off after a failure instead of spinning.
              java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms < CALL_DEADLINE_MS + 2_000, "a call took " + ms + " ms: it hung");
            outcomes.merge(code, 1, Integer::sum);
          }
          return outcomes;
        }));
      }
      Thread.sleep(LOAD.toMillis() / 3);
      broker.stop();
      Thread.sleep(1_500);
      broker.start();
      Map<Status.Code, Integer> total = new EnumMap<>(Status.Code.class);
      for (Future<Map<Status.Code, Integer>> worker : workers) {
        worker.get(LOAD.toSeconds() + 30, TimeUnit.SECONDS).forEach((k, v) -> total.merge(k, v, Integer::sum));
      }
      int sent = total.values().stream().mapToInt(Integer::intValue).sum();
      System.out.printf(
          "broker restart under load: sent %d, ok %d, failed fast (UNAVAILABLE) %d,"
              + " deadline exceeded %d, other %s%n",
          sent, total.getOrDefault(Status.Code.OK, 0),
          total.getOrDefault(Status.Code.UNAVAILABLE, 0),
          total.getOrDefault(Status.Code.DEADLINE_EXCEEDED, 0), total);
      for (Status.Code code : total.keySet()) {
        assertTrue(
            code == Status.Code.OK || code == Status.Code.UNAVAILABLE
                || code == Status.Code.DEADLINE_EXCEEDED,
            "unexpected outcome " + code);
      }
      rpc.service.unaryTexts.forEach(
          (text, count) -> assertEquals(1, count.get(), "handler ran twice for " + text));
      // Calls succeed again once both ends have reconnected.
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
        rpc.blocking().unary(Request.newBuilder().setText("after").build());
        return true;
      });
      assertTrue(total.getOrDefault(Status.Code.OK, 0) > 0);
    } finally {
      pool.shutdownNow();
    }
  }
}
