package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What opting in to a server session costs (docs/operations.md §9): two instances, one of them
 * with a session, which is killed; then one call a second. A measurement for the docs, not a
 * check of the defaults (FailoverTest does that), so it runs only when asked:
 * {@code -Dgrpcmqtt.measure=true}.
 */
@EnabledIfSystemProperty(named = "grpcmqtt.measure", matches = "true")
class SessionOptInCostTest {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final int EXPIRY_SECONDS = 10;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void aKilledInstanceWithASessionKeepsItsShare(TestBroker broker) throws Exception {
    String prefix = "optin-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    String id = "optin" + COUNTER.get();
    Server survivor = MqttServerBuilder.forBroker(broker.uri()).topicPrefix(prefix)
        .addService(new TestServiceImpl("survivor")).build().start();
    ManagedChannel channel = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).build();
    try (JavaProcess withSession = JavaProcess.start(FaultProcess.class, "server", broker.uri(),
        prefix, id, Integer.toString(EXPIRY_SECONDS))) {
      withSession.awaitLine("READY", Duration.ofSeconds(60));
      TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .unary(Request.newBuilder().setText("warm-up").build());
      long kill = System.nanoTime();
      withSession.kill();
      StringBuilder timeline = new StringBuilder();
      int unanswered = 0;
      int calls = 0;
      // One call a second, each with a 1 s deadline, until past the session expiry.
      while (System.nanoTime() - kill < TimeUnit.SECONDS.toNanos(EXPIRY_SECONDS + 3)) {
        long start = System.nanoTime();
        calls++;
        try {
          TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
              .unary(Request.newBuilder().setText("c" + calls).build());
          timeline.append('.');
        } catch (StatusRuntimeException e) {
          unanswered++;
          timeline.append('x');
        }
        long rest = TimeUnit.SECONDS.toNanos(1) - (System.nanoTime() - start);
        if (rest > 0) {
          TimeUnit.NANOSECONDS.sleep(rest); // the pace of the measurement: one call a second
        }
      }
      System.out.printf("[%s] one of two instances killed with sessionExpiry %d s: %d of %d calls"
              + " (one a second, 1 s deadline) unanswered: %s (x = unanswered)%n",
          broker, EXPIRY_SECONDS, unanswered, calls, timeline);
      assertTrue(calls > 0);
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      survivor.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
