package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.testing.TestBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Many calls at once share one connection each way; no reply is lost or crossed. */
class ConcurrencyTest {
  private static final int THREADS = 16;
  private static final int CALLS = 1_000;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void thousandConcurrentUnaryCallsFromSixteenThreads(TestBroker broker) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (Rpc rpc = new Rpc(broker)) {
      rpc.warmUp();
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        String text = "call-" + i;
        results.add(
            pool.submit(
                () -> {
                  Response r = rpc.blocking().unary(Request.newBuilder().setText(text).build());
                  return r.getText();
                }));
      }
      for (int i = 0; i < CALLS; i++) {
        assertEquals("call-" + i, results.get(i).get(30, TimeUnit.SECONDS));
      }
      // warm-up + the calls: every request ran exactly once.
      assertEquals(CALLS + 1, rpc.service.unaryInvocations.get());
    } finally {
      pool.shutdownNow();
    }
  }
}
