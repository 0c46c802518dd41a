package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.awaitility.Awaitility.await;

/**
 * Three instances in one shared-subscription group split the calls; killing one (kill -9, its
 * own process) loses only the streams it held, which fail fast, while the others carry on.
 */
class ScaleOutTest {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void threeInstancesSplitTheLoadAndSurviveTheLossOfOne(TestBroker broker) throws Exception {
    String prefix = "scale-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    List<Server> servers = new ArrayList<>();
    ManagedChannel channel = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).build();
    String killedId = "scalec" + COUNTER.get();
    try (JavaProcess third =
        JavaProcess.start(FaultProcess.class, "server", broker.uri(), prefix, killedId)) {
      for (String name : List.of("scalea" + COUNTER.get(), "scaleb" + COUNTER.get())) {
        servers.add(
            MqttServerBuilder.forBroker(broker.uri())
                .topicPrefix(prefix)
                .clientId(name)
                .addService(new TestServiceImpl(name))
                .build()
                .start());
      }
      third.awaitLine("READY", Duration.ofSeconds(30));

      // 1. Unary calls are split between the three.
      Map<String, Integer> split = new TreeMap<>();
      for (int i = 0; i < 300; i++) {
        Response r = TestServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .unary(Request.newBuilder().setText("u" + i).build());
        split.merge(r.getServer(), 1, Integer::sum);
      }
      System.out.printf("[%s] 300 unary calls split: %s%n", broker, split);
      assertEquals(3, split.size(), "every instance served some: " + split);
      split.values().forEach(n -> assertTrue(n >= 30, "uneven split " + split));

      // 2. Streams stay with the instance that accepted them.
      Map<String, List<CompletableFuture<Void>>> streamsByServer = new ConcurrentHashMap<>();
      AtomicInteger opened = new AtomicInteger();
      for (int i = 0; i < 30; i++) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        TestServiceGrpc.newStub(channel)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .serverStream(
                Request.newBuilder().setHang(true).build(),
                new StreamObserver<Response>() {
                  @Override
                  public void onNext(Response value) {
                    streamsByServer.computeIfAbsent(value.getServer(), k -> new ArrayList<>())
                        .add(ended);
                    opened.incrementAndGet();
                  }

                  @Override
                  public void onError(Throwable t) {
                    ended.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(null);
                  }
                });
        // One at a time, as independent callers would: a burst may all land on one instance.
        int expected = i + 1;
        await().atMost(Duration.ofSeconds(10)).until(() -> opened.get() == expected);
      }
      List<CompletableFuture<Void>> held = streamsByServer.getOrDefault(killedId, List.of());
      assertFalse(held.isEmpty(), "the third instance holds some streams: " + streamsByServer.keySet());

      // 3. kill -9 the third: its streams fail fast with UNAVAILABLE, the others stay open.
      long start = System.nanoTime();
      third.kill();
      for (CompletableFuture<Void> stream : held) {
        StatusRuntimeException e = CallKindsTest.failure(stream, 15);
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      int survivors = 0;
      for (Map.Entry<String, List<CompletableFuture<Void>>> entry : streamsByServer.entrySet()) {
        if (!entry.getKey().equals(killedId)) {
          for (CompletableFuture<Void> stream : entry.getValue()) {
            assertFalse(stream.isDone(), "a stream of a live instance ended");
            survivors++;
          }
        }
      }
      assertTrue(survivors > 0, "no stream landed on the other instances: " + streamsByServer.keySet());
      System.out.printf(
          "[%s] killed 1 of 3 instances: its %d streams failed with UNAVAILABLE within %d ms;"
              + " %d streams on the others unaffected%n",
          broker, held.size(), ms, survivors);

      // 4. The two left serve every new call once the dead one's session has expired.
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
        for (int i = 0; i < 20; i++) {
          TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
              .unary(Request.newBuilder().setText("after" + i).build());
        }
        return true;
      });
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      for (Server server : servers) {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }
}
