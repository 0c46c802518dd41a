package io.grpcmqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A unary call costs the server as few hand-offs to its executor as gRPC allows: the request's
 * message and half-close are queued before gRPC starts the call, so they are delivered within the
 * task that starts it instead of in tasks of their own.
 *
 * <p>The executor runs each task at once on the submitting thread: the worst case of a busy
 * machine, where the woken worker finishes a task before the submitter submits the next one, made
 * deterministic.
 */
class ServerHandOffTest {
  private static final int CALLS = 20;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void unaryCallIsStartedDeliveredAndClosedInThreeExecutorTasks(TestBroker broker)
      throws Exception {
    AtomicLong tasks = new AtomicLong();
    Executor inline = task -> {
      tasks.incrementAndGet();
      task.run();
    };
    try (Rpc rpc = new Rpc(broker,
        service -> MqttServerBuilder.forBroker(broker.uri()).executor(inline),
        MqttChannelBuilder.forBroker(broker.uri()))) {
      rpc.warmUp();
      await().atMost(Duration.ofSeconds(10)).until(() -> tasks.get() >= 3);
      long before = tasks.get();

      for (int i = 0; i < CALLS; i++) {
        assertEquals("call-" + i,
            rpc.blocking().unary(Request.newBuilder().setText("call-" + i).build()).getText());
      }

      // gRPC's own: method lookup, the call's start (which now also delivers the request and
      // half-close, runs the handler and sends the reply) and, after the PUBACK, closed.
      await().atMost(Duration.ofSeconds(10)).until(() -> tasks.get() - before >= 3L * CALLS);
      long perCall = (tasks.get() - before) / CALLS;
      assertTrue(tasks.get() - before <= 3L * CALLS,
          "expected 3 executor tasks per unary call, saw " + (tasks.get() - before) + " for "
              + CALLS + " calls (about " + perCall + " each)");
    }
  }
}
