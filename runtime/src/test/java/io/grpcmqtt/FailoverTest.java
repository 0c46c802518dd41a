package io.grpcmqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Failover under a closed-loop unary load, with the builders' default settings, on each broker.
 * The instances are JVMs of their own ({@link FaultProcess}, fixed ids) sharing one subscription
 * group; in turn, one of three is killed with SIGKILL, restarted with the same arguments, frozen
 * with SIGSTOP (to the broker, a process behind a pulled cable: connected but silent), the other
 * two are restarted one after the other with SIGTERM, and one of the last two is killed. The
 * phases share the processes and the load to keep the test short; each prints its figures.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FailoverTest {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  /**
   * The deadline of every call of the load, which the channel also sends as each request's Message
   * Expiry Interval: short, so that calls a dead instance took end soon, but longer than HiveMQ CE
   * may hold a group's requests back. It may hold them while a member holds requests it has not
   * acknowledged: as long as an instance is frozen (7.1 s here, until the broker drops it), and
   * after a member's UNSUBSCRIBE in a rolling restart (over 5 s measured on a loaded machine).
   * And a request it hands to an instance in the very second its expiry runs out leaves that
   * instance without any more requests of the group until it reconnects (docs/operations.md §9).
   * With a deadline under the time to drop a frozen instance, requests held back since the freeze
   * can be handed out in that second, just after its will, which then fails the calls that follow.
   */
  private static final Duration DEADLINE = Duration.ofSeconds(12);
  /**
   * After a kill -9 the broker sees the connection close at once and drops the instance's
   * subscriptions with its clean session; a request published within this much of the kill may
   * still have been routed to it.
   */
  private static final Duration KILL_GRACE = Duration.ofSeconds(1);
  /**
   * The deadline of the calls the killed instance holds: they must outlast collecting them, one
   * at a time, and the kill (collecting three of each kind took 9.5 s on a loaded machine); the
   * others then end at it.
   */
  private static final Duration HELD_DEADLINE = Duration.ofSeconds(10);
  /** How long to collect held calls when at least one of each kind is held already. */
  private static final Duration COLLECT = Duration.ofSeconds(3);
  /** The server's default keep-alive: the broker drops a silent server after 1.5 × this. */
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(5);

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void instancesDieRestartAndRollUnderLoad(TestBroker broker) throws Exception {
    int n = COUNTER.incrementAndGet();
    String prefix = "failover-" + ProcessHandle.current().pid() + "-" + n;
    String a = "fo" + n + "a";
    String b = "fo" + n + "b";
    String c = "fo" + n + "c";
    Map<String, JavaProcess> servers = new LinkedHashMap<>();
    List<JavaProcess> all = new ArrayList<>();
    ManagedChannel channel = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).build();
    try (RawMqttClient watcher = new RawMqttClient(broker.uri())) {
      for (String id : List.of(a, b, c)) {
        servers.put(id, JavaProcess.start(FaultProcess.class, "server", broker.uri(), prefix, id));
      }
      for (JavaProcess server : servers.values()) {
        server.awaitLine("READY", Duration.ofSeconds(60));
      }
      TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .unary(Request.newBuilder().setText("warm-up").build());

      try (UnaryLoad load = new UnaryLoad(channel, 6, DEADLINE, Duration.ofSeconds(240))) {
        // 1. kill -9 one of three, while it holds calls of both kinds. One call at a time, as
        // independent callers make them (HiveMQ may hand a burst to one instance), until the third
        // instance holds three of each kind, or at least one of each after COLLECT (so that the
        // first is far from its deadline at the kill).
        JavaProcess victim = servers.get(c);
        List<ListenableFuture<Response>> idempotent = new ArrayList<>();
        List<ListenableFuture<Response>> plain = new ArrayList<>();
        long collectUntil = System.nanoTime() + COLLECT.toNanos();
        for (int i = 0; i < 200 && (idempotent.size() < 3 || plain.size() < 3)
            && (idempotent.isEmpty() || plain.isEmpty() || System.nanoTime() - collectUntil < 0);
            i++) {
          var stub = TestServiceGrpc.newFutureStub(channel)
              .withDeadlineAfter(HELD_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
          Request hangOnC = Request.newBuilder().setHangOn(c).build();
          boolean idem = i % 2 == 0;
          long hanging = victim.count("HANGING");
          ListenableFuture<Response> call = idem ? stub.idempotentUnary(hangOnC) : stub.unary(hangOnC);
          await().atMost(Duration.ofSeconds(10))
              .until(() -> call.isDone() || victim.count("HANGING") > hanging);
          if (!call.isDone()) {
            (idem ? idempotent : plain).add(call);
          }
        }
        long heldIdempotent = idempotent.size();
        long heldPlain = plain.size();
        assertTrue(heldIdempotent > 0 && heldPlain > 0, "the third instance took too few calls");
        long kill = System.nanoTime();
        victim.kill();
        long lastResentAnswer = 0;
        for (ListenableFuture<Response> f : idempotent) {
          Response r = f.get(HELD_DEADLINE.toSeconds() + 5, TimeUnit.SECONDS);
          assertTrue(!r.getServer().equals(c), "answered by the killed instance");
          lastResentAnswer = Math.max(lastResentAnswer, System.nanoTime());
        }
        int plainExpired = 0;
        for (ListenableFuture<Response> f : plain) {
          try {
            f.get(HELD_DEADLINE.toSeconds() + 5, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            assertEquals(Status.Code.DEADLINE_EXCEEDED, Status.fromThrowable(e).getCode());
            plainExpired++;
          }
        }
        assertEquals(heldPlain, plainExpired);
        System.out.printf(
            "[%s] kill -9 of 1 of 3: of the calls it held, %d of IdempotentUnary were re-sent on"
                + " its will and answered by the others within %d ms of the kill; %d of Unary"
                + " ended at their deadline (DEADLINE_EXCEEDED)%n",
            broker, heldIdempotent, millis(lastResentAnswer - kill), heldPlain);
        afterKill(broker, "kill -9 of 1 of 3", load, kill);

        // 2. The killed instance again, same arguments: every call after its ready line answered.
        all.add(victim);
        JavaProcess restarted =
            JavaProcess.start(FaultProcess.class, "server", broker.uri(), prefix, c);
        servers.put(c, restarted);
        restarted.awaitLine("READY", Duration.ofSeconds(60));
        long ready = System.nanoTime();
        awaitLoad(load, ready + TimeUnit.SECONDS.toNanos(2));
        List<UnaryLoad.Call> afterReady = load.startedBetween(ready, ready + TimeUnit.SECONDS.toNanos(2));
        System.out.printf("[%s] restart of the killed instance with the same arguments: %d calls"
                + " started after its ready line: %s, answered by %s%n",
            broker, afterReady.size(), UnaryLoad.byCode(afterReady), UnaryLoad.byServer(afterReady));
        assertAllAnswered(afterReady, "calls after the ready line");
        assertTrue(UnaryLoad.byServer(afterReady).containsKey(c), "the restarted instance serves");

        // 3. SIGSTOP: connected but silent, as behind a pulled cable. The broker drops it after
        // 1.5 × keep-alive; its will tells the channel, which re-sends the idempotent calls.
        watcher.client.subscribe(prefix + "/_status/server/" + c, 1).waitForCompletion(5_000);
        watcher.replies.clear();
        long freeze = System.nanoTime();
        restarted.freeze();
        long offline = awaitOffline(watcher, KEEP_ALIVE.multipliedBy(3).plusSeconds(5));
        awaitLoad(load, offline + TimeUnit.SECONDS.toNanos(2));
        List<UnaryLoad.Call> silent = load.startedBetween(freeze, offline);
        List<UnaryLoad.Call> afterDrop =
            load.startedBetween(offline, offline + TimeUnit.SECONDS.toNanos(2));
        System.out.printf("[%s] SIGSTOP of 1 of 3: the broker published its will after %d ms"
                + " (keep-alive %d s); calls started while it was silent: %s (idempotent: %s);"
                + " %d calls started after the will: %s%n",
            broker, millis(offline - freeze), KEEP_ALIVE.toSeconds(), UnaryLoad.byCode(silent),
            UnaryLoad.byCode(idempotentOnly(silent)), afterDrop.size(), UnaryLoad.byCode(afterDrop));
        assertTrue(offline - freeze < KEEP_ALIVE.multipliedBy(3).plusSeconds(5).toNanos(),
            "detected after " + millis(offline - freeze) + " ms");
        assertAllAnswered(afterDrop, "calls after the frozen instance's will");
        restarted.kill();
        all.add(servers.remove(c));

        // 4. Rolling restart: SIGTERM one, start it again, then the other. No call fails.
        long rollStart = System.nanoTime();
        for (String id : List.of(a, b)) {
          all.add(servers.get(id));
          assertEquals(143, servers.get(id).terminate(Duration.ofSeconds(30)),
              "exit status after SIGTERM (128 + 15)");
          JavaProcess again = JavaProcess.start(FaultProcess.class, "server", broker.uri(), prefix, id);
          servers.put(id, again);
          again.awaitLine("READY", Duration.ofSeconds(60));
        }
        long rollEnd = System.nanoTime();
        awaitLoad(load, rollEnd + TimeUnit.MILLISECONDS.toNanos(500));
        List<UnaryLoad.Call> rolling = load.startedBetween(rollStart, rollEnd);
        long slowest = 0;
        for (UnaryLoad.Call call : rolling) {
          slowest = Math.max(slowest, call.endNanos() - call.startNanos());
        }
        System.out.printf("[%s] rolling restart of 2 instances (SIGTERM, start again) in %d ms:"
                + " %d calls: %s, answered by %s; slowest call %d ms%n",
            broker, millis(rollEnd - rollStart), rolling.size(), UnaryLoad.byCode(rolling),
            UnaryLoad.byServer(rolling), millis(slowest));
        assertAllAnswered(rolling, "calls during the rolling restart");

        // 5. kill -9 one of two.
        long kill2 = System.nanoTime();
        servers.get(b).kill();
        afterKill(broker, "kill -9 of 1 of 2", load, kill2);
      }
    } catch (AssertionError | Exception e) {
      all.addAll(servers.values());
      for (JavaProcess server : all) {
        System.out.println("--- output of a server process:\n" + server.output());
      }
      throw e;
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      for (JavaProcess server : servers.values()) {
        server.kill();
      }
    }
  }

  /** Runs the load for 3 s after a kill -9 and checks that no call started later waited. */
  private static void afterKill(TestBroker broker, String what, UnaryLoad load, long kill)
      throws InterruptedException {
    long grace = kill + KILL_GRACE.toNanos();
    long end = kill + TimeUnit.SECONDS.toNanos(3);
    awaitLoad(load, end);
    List<UnaryLoad.Call> inFlight = load.calls(call -> call.inFlightAt(kill));
    List<UnaryLoad.Call> early = load.startedBetween(kill, grace);
    List<UnaryLoad.Call> later = load.startedBetween(grace, end);
    System.out.printf("[%s] %s under load: calls in flight at the kill: %s (idempotent: %s);"
            + " started within %d ms after it: %s; %d started later: %s%n",
        broker, what, UnaryLoad.byCode(inFlight), UnaryLoad.byCode(idempotentOnly(inFlight)),
        KILL_GRACE.toMillis(), UnaryLoad.byCode(early), later.size(), UnaryLoad.byCode(later));
    assertAllAnswered(later, "calls started more than " + KILL_GRACE.toMillis() + " ms after the kill");
  }

  /** Lets the load run until {@code nanos}, then waits for the calls started before it. */
  private static void awaitLoad(UnaryLoad load, long nanos) throws InterruptedException {
    long wait = nanos - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait); // the load runs meanwhile: this is the measured window
    }
    load.awaitEndOfCallsStartedBefore(nanos, DEADLINE.plusSeconds(5));
  }

  private static long awaitOffline(RawMqttClient watcher, Duration within)
      throws InterruptedException {
    long limit = System.nanoTime() + within.toNanos();
    while (System.nanoTime() - limit < 0) {
      MqttMessage m = watcher.replies.poll(100, TimeUnit.MILLISECONDS);
      if (m != null && !m.isRetained()
          && "offline".equals(new String(m.getPayload(), StandardCharsets.UTF_8))) {
        return System.nanoTime();
      }
    }
    throw new AssertionError("no will within " + within);
  }

  private static void assertAllAnswered(List<UnaryLoad.Call> calls, String what) {
    assertTrue(!calls.isEmpty(), "no " + what);
    List<UnaryLoad.Call> failed = new ArrayList<>();
    for (UnaryLoad.Call call : calls) {
      if (call.code() != Status.Code.OK) {
        failed.add(call);
      }
    }
    assertTrue(failed.isEmpty(), what + ": " + failed.size() + " of " + calls.size()
        + " failed: " + UnaryLoad.byCode(failed));
  }

  private static List<UnaryLoad.Call> idempotentOnly(List<UnaryLoad.Call> calls) {
    List<UnaryLoad.Call> out = new ArrayList<>();
    for (UnaryLoad.Call call : calls) {
      if (call.idempotent()) {
        out.add(call);
      }
    }
    return out;
  }

  private static long done(List<ListenableFuture<Response>> futures) {
    return futures.stream().filter(f -> f.isDone()).count();
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
