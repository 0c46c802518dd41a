package io.grpcmqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A unary call costs as few hand-offs to an executor (wake-ups of a parked thread) as gRPC
 * allows: what one MQTT message triggers for a call reaches the executor as one task.
 *
 * <p>Each executor here runs a task at once on the submitting thread: the worst case of a busy
 * machine, where the woken worker finishes a task before the submitter submits the next one, made
 * deterministic. gRPC alone (one task per callback, retries on) takes 6 on the server and 4 on the
 * channel.
 */
class HandOffTest {
  private static final int CALLS = 20;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void unaryCallCostsTheServerTwoTasksAndTheChannelOne(TestBroker broker) throws Exception {
    AtomicLong serverTasks = new AtomicLong();
    AtomicLong channelTasks = new AtomicLong();
    try (Rpc rpc = new Rpc(broker,
        service -> MqttServerBuilder.forBroker(broker.uri()).executor(counting(serverTasks)),
        MqttChannelBuilder.forBroker(broker.uri()).executor(counting(channelTasks)))) {
      rpc.warmUp();
      await().atMost(Duration.ofSeconds(10)).until(() -> serverTasks.get() >= 2);
      long serverBefore = serverTasks.get();
      long channelBefore = channelTasks.get();

      for (int i = 0; i < CALLS; i++) {
        // The future stub runs callbacks on the channel's executor (the blocking one on its own).
        assertEquals("call-" + i,
            rpc.future().unary(Request.newBuilder().setText("call-" + i).build())
                .get(10, TimeUnit.SECONDS).getText());
      }

      // Server: the request's message finds the method and starts the call (which delivers the
      // request and half-close, runs the handler and sends the reply); the PUBACK closes it.
      await().atMost(Duration.ofSeconds(10))
          .until(() -> serverTasks.get() - serverBefore >= 2L * CALLS);
      long server = serverTasks.get() - serverBefore;
      assertTrue(server <= 2L * CALLS,
          "expected 2 server tasks per unary call, saw " + server + " for " + CALLS + " calls");
      // Channel: the reply's headers, message and status in one task, and no retry commit.
      long channel = channelTasks.get() - channelBefore;
      assertEquals(CALLS, channel,
          "expected 1 channel task per unary call, saw " + channel + " for " + CALLS + " calls");
    }
  }

  private static Executor counting(AtomicLong tasks) {
    return task -> {
      tasks.incrementAndGet();
      task.run();
    };
  }
}
