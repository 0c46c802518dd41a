package io.grpcmqtt.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.grpcmqtt.gateway.kafka.KafkaConfig;
import io.grpcmqtt.gateway.kafka.testing.KafkaTestBroker;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.gateway.v1.SendResponse;
import io.grpcmqtt.testing.Brokers;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The figures of docs/gateway.md (Kafka, Measured), not a test: Send throughput with Kafka out off
 * and on, and how fast a backlog built during a Kafka outage drains. Runs only when asked:
 * {@code -Dgateway.bench=true -Dtest=KafkaOutBenchmark}. Each run checks every message reached
 * Kafka, and prints one line per figure.
 */
@EnabledIfSystemProperty(named = "gateway.bench", matches = "true")
class KafkaOutBenchmark {
  private static final int SENDS = Integer.getInteger("gateway.bench.sends", 3_000);
  private static final int ROUNDS = Integer.getInteger("gateway.bench.rounds", 3);
  private static final int BACKLOG = Integer.getInteger("gateway.bench.backlog", 50_000);
  private static final int WINDOW = 64;
  private static final ByteString PAYLOAD = ByteString.copyFrom(new byte[100]);

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.gateway.StoreKind#both")
  void sendThroughputAndBacklogDrain(StoreKind kind) throws Exception {
    try (KafkaTestBroker kafka = KafkaTestBroker.start(Path.of("target", "kafka", "KafkaOutBenchmark-" + kind))) {
      InMemoryMetricReader reader = InMemoryMetricReader.create();
      try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
              .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build()).build();
          StoreKind.Location offLocation = kind.newLocation();
          StoreKind.Location onLocation = kind.newLocation();
          TestGateway off = new TestGateway(Brokers.hivemq(), offLocation);
          TestGateway on = new TestGateway(Brokers.hivemq(), onLocation, b -> b.openTelemetry(otel)
              .kafka(KafkaConfig.builder(kafka.bootstrap()).out("#", "bench").build()))) {
        String offTopic = off.topic("bench");
        String onTopic = on.topic("bench");
        // Warm-up of both (JIT, connections, the Kafka topic), then alternating rounds, so that
        // neither side profits from running later on a machine whose load changes.
        send(off, offTopic, 1_000);
        send(on, onTopic, 1_000);
        awaitBacklog(reader, 0, Duration.ofMinutes(2));
        List<Double> offRates = new ArrayList<>();
        List<Double> onRates = new ArrayList<>();
        List<Double> inKafka = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
          offRates.add(rate(off, offTopic, SENDS));
          long t0 = System.nanoTime();
          onRates.add(rate(on, onTopic, SENDS));
          awaitBacklog(reader, 0, Duration.ofMinutes(5));
          inKafka.add((System.nanoTime() - t0) / 1e9);
        }
        System.out.printf("%s: Send, %d rounds of %d, %d in flight: Kafka out off %s/s (median %.0f); on %s/s"
            + " (median %.0f); the last of each round in Kafka after %s s%n", kind, ROUNDS, SENDS, WINDOW,
            format(offRates), median(offRates), format(onRates), median(onRates), format(inKafka));

        kafka.stop();
        long b0 = System.nanoTime();
        send(on, onTopic, BACKLOG);
        double backlogSendSeconds = (System.nanoTime() - b0) / 1e9;
        awaitBacklog(reader, BACKLOG, Duration.ofSeconds(30));
        // The drain starts while the broker is still starting up: sample the backlog from before
        // the start, and time it from the first batch Kafka acknowledged to the last.
        List<long[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread sampler = new Thread(() -> {
          long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
          double v;
          do {
            v = gauge(reader, "robustmq.gateway.kafka.out.backlog");
            samples.add(new long[] {System.nanoTime(), (long) v});
            try {
              Thread.sleep(20);
            } catch (InterruptedException e) {
              return;
            }
          } while (v != 0 && System.nanoTime() < deadline);
        });
        sampler.start();
        kafka.start();
        sampler.join(TimeUnit.MINUTES.toMillis(10));
        long[] first = samples.stream().filter(x -> x[1] < BACKLOG).findFirst().orElseThrow();
        long[] last = samples.get(samples.size() - 1);
        assertEquals(0, last[1]);
        double drainSeconds = Math.max(1, last[0] - first[0]) / 1e9;
        System.out.printf("%s: Send during a Kafka outage: %d sends in %.1f s = %.0f/s; then, Kafka back, %d records"
            + " drained in %.2f s = %.0f messages/s%n", kind, BACKLOG, backlogSendSeconds, BACKLOG / backlogSendSeconds,
            first[1], drainSeconds, first[1] / drainSeconds);
        int expected = 1_000 + ROUNDS * SENDS + BACKLOG;
        assertEquals(expected, KafkaRecords.read(kafka.bootstrap(), "bench", expected, Duration.ofMinutes(2)).size());
      }
    }
  }

  private static double rate(TestGateway gw, String topic, int n) throws InterruptedException {
    long t0 = System.nanoTime();
    send(gw, topic, n);
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  private static void awaitBacklog(InMemoryMetricReader reader, int n, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(50))
        .until(() -> gauge(reader, "robustmq.gateway.kafka.out.backlog") == n);
  }

  private static String format(List<Double> values) {
    return values.stream().map(v -> String.format(v < 100 ? "%.1f" : "%.0f", v)).collect(Collectors.joining(" "));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  /** {@code n} Sends, at most {@value #WINDOW} in flight; fails on any error. */
  private static void send(TestGateway gw, String topic, int n) throws InterruptedException {
    var stub = RobustMQGatewayGrpc.newFutureStub(gw.channel);
    Semaphore window = new Semaphore(WINDOW);
    AtomicInteger failed = new AtomicInteger();
    SendRequest request = SendRequest.newBuilder().setTopic(topic).setPayload(PAYLOAD).build();
    for (int i = 0; i < n; i++) {
      window.acquire();
      Futures.addCallback(stub.withDeadlineAfter(30, TimeUnit.SECONDS).send(request), new FutureCallback<SendResponse>() {
        @Override
        public void onSuccess(SendResponse r) {
          window.release();
        }

        @Override
        public void onFailure(Throwable t) {
          failed.incrementAndGet();
          window.release();
        }
      }, MoreExecutors.directExecutor());
    }
    window.acquire(WINDOW);
    assertEquals(0, failed.get(), "failed sends");
  }

  private static double gauge(InMemoryMetricReader reader, String name) {
    for (MetricData m : reader.collectAllMetrics()) {
      if (m.getName().equals(name)) {
        return m.getLongGaugeData().getPoints().stream().mapToLong(p -> p.getValue()).sum();
      }
    }
    return -1;
  }
}
