package io.grpcmqtt.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The runtime's own threads have one owner ({@link RuntimeExecutors}) that every channel, server
 * and connection leases: starting and stopping them again and again leaves no lease and no thread
 * behind (its threads, the connections' client-library threads).
 */
class ExecutorOwnershipTest {
  private static final int CYCLES = 5;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void channelsAndServersStartedAndStoppedLeaveNoThreads(TestBroker broker) throws Exception {
    int leasesBefore = RuntimeExecutors.leases();
    String tag = "own" + ProcessHandle.current().pid() + "x" + System.nanoTime();
    for (int i = 0; i < CYCLES; i++) {
      String prefix = tag + "c" + i;
      Server server = MqttServerBuilder.forBroker(broker.uri())
          .topicPrefix(prefix)
          .clientId(prefix + "-server")
          .addService(new Echo())
          .build()
          .start();
      ManagedChannel channel = MqttChannelBuilder.forBroker(broker.uri())
          .topicPrefix(prefix)
          .clientId(prefix + "-channel")
          .build();
      try {
        // A blocking call (the caller's thread) and a future one (the default call executor);
        // the call deadlines run on the runtime's scheduler.
        assertEquals("b" + i, TestServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .unary(Request.newBuilder().setText("b" + i).build()).getText());
        assertEquals("f" + i, TestServiceGrpc.newFutureStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .unary(Request.newBuilder().setText("f" + i).build())
            .get(10, TimeUnit.SECONDS).getText());
      } finally {
        channel.shutdown();
        server.shutdown();
        assertTrue(channel.awaitTermination(10, TimeUnit.SECONDS), "channel terminated");
        assertTrue(server.awaitTermination(10, TimeUnit.SECONDS), "server terminated");
      }
    }

    // Every lease taken here is given back (the channel's after it terminated)...
    await().atMost(Duration.ofSeconds(10)).until(() -> RuntimeExecutors.leases() == leasesBefore);
    // ...and no connection of this test keeps a thread (Paho's carry the client id).
    await().atMost(Duration.ofSeconds(10)).until(() -> threads(tag).isEmpty());
    if (leasesBefore == 0) {
      // Nothing else in this JVM holds the executors: their threads are gone.
      await().atMost(Duration.ofSeconds(10)).until(() -> ownerThreads().isEmpty());
    } else {
      // Others (another test's open channel) still hold them: the timed and blocking threads
      // stay within their bounds whatever the number of cycles.
      List<String> bounded = ownerThreads().stream()
          .filter(n -> !n.startsWith(RuntimeExecutors.CALLS))
          .collect(Collectors.toList());
      assertTrue(bounded.size() <= 2 + RuntimeExecutors.BLOCKING_THREADS, bounded.toString());
    }
  }

  private static List<String> ownerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith(RuntimeExecutors.TIMER) || n.startsWith(RuntimeExecutors.BLOCKING)
            || n.startsWith(RuntimeExecutors.CALLS))
        .collect(Collectors.toList());
  }

  private static List<String> threads(String containing) {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.contains(containing))
        .collect(Collectors.toList());
  }

  private static final class Echo extends TestServiceGrpc.TestServiceImplBase {
    @Override
    public void unary(Request request, StreamObserver<Response> response) {
      response.onNext(Response.newBuilder().setText(request.getText()).build());
      response.onCompleted();
    }
  }
}
