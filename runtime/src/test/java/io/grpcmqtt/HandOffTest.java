package io.grpcmqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.testing.TestBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Runs with both client libraries. The HiveMQ client reports a request's PUBACK on a thread of
 * its own, while the reply may already be in delivery: a PUBACK that reached a subscriber is taken
 * there without draining the stream's tasks, which before handed the reply's callbacks to the
 * executor one by one (21–30 channel tasks for 20 calls in about 1 run in 12 under load). The
 * failure message lists where each task came from.
 */
class HandOffTest {
  private static final int CALLS = 20;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void unaryCallCostsTheServerTwoTasksAndTheChannelOne(TestBroker broker) throws Exception {
    AtomicLong serverTasks = new AtomicLong();
    TaskLog channelTasks = new TaskLog();
    try (Rpc rpc = new Rpc(broker,
        service -> MqttServerBuilder.forBroker(broker.uri()).executor(counting(serverTasks)),
        MqttChannelBuilder.forBroker(broker.uri()).executor(channelTasks))) {
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
          () -> "expected 1 channel task per unary call, saw " + channel + " for " + CALLS
              + " calls; where they were submitted from:\n" + channelTasks.submitters(channelBefore));
    }
  }

  /** Runs each task at once, counting them and keeping where each was submitted from. */
  private static final class TaskLog implements Executor {
    private final List<Throwable> submitters = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void execute(Runnable task) {
      submitters.add(new Throwable("task on " + Thread.currentThread().getName()));
      task.run();
    }

    long get() {
      return submitters.size();
    }

    /** The stacks of the tasks from the {@code from}-th on, each distinct one once with a count. */
    String submitters(long from) {
      Map<String, Integer> stacks = new LinkedHashMap<>();
      synchronized (submitters) {
        for (Throwable t : submitters.subList((int) from, submitters.size())) {
          StringWriter out = new StringWriter();
          t.printStackTrace(new PrintWriter(out));
          stacks.merge(out.toString(), 1, Integer::sum);
        }
      }
      StringBuilder b = new StringBuilder();
      stacks.forEach((stack, n) -> b.append(n).append(" x ").append(stack));
      return b.toString();
    }
  }

  private static Executor counting(AtomicLong tasks) {
    return task -> {
      tasks.incrementAndGet();
      task.run();
    };
  }
}
