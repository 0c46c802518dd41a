package io.grpcmqtt.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.gateway.v1.RobustMQGatewayAdminGrpc;
import io.grpcmqtt.gateway.v1.StatsRequest;
import io.grpcmqtt.gateway.v1.StatsResponse;
import io.grpcmqtt.gateway.v1.TopicStats;
import io.grpcmqtt.testing.Brokers;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Operators see the queues: depth, leased, oldest age and redeliveries per topic, as OpenTelemetry
 * metrics and through the admin Stats call (over either transport), on both stores.
 */
class QueueMetricsTest {
  private static final AttributeKey<String> TOPIC = AttributeKey.stringKey("topic");

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("io.grpcmqtt.gateway.Transport#everySetup")
  void queuesAreVisibleAsMetricsAndThroughStats(StoreKind kind, Transport transport) throws Exception {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build()).build();
        StoreKind.Location location = kind.newLocation();
        TestGateway gw = new TestGateway(Brokers.hivemq(), location, transport, b -> b.openTelemetry(otel))) {
      String topic = gw.topic("metrics");
      for (int i = 0; i < 3; i++) {
        GatewaySemanticsTest.send(gw, topic, "m" + i);
      }
      // All three leased briefly, then all three redelivered under a long lease; a fourth waits.
      // (Each Receive takes everything visible, so a QoS 1 duplicate of one changes nothing.)
      long leasedUntil = System.currentTimeMillis() + 1_000;
      assertEquals(3, GatewaySemanticsTest.receive(gw, topic, 10, 0, 1_000).size());
      await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() > leasedUntil + 100);
      assertEquals(3, GatewaySemanticsTest.receive(gw, topic, 10, 5_000, 600_000).size());
      GatewaySemanticsTest.send(gw, topic, "m3");

      Collection<MetricData> metrics = reader.collectAllMetrics();
      assertEquals(4, gauge(metrics, "robustmq.gateway.queue.depth", topic));
      assertEquals(3, gauge(metrics, "robustmq.gateway.queue.leased", topic));
      double age = metrics.stream().filter(m -> m.getName().equals("robustmq.gateway.queue.oldest_age"))
          .flatMap(m -> m.getDoubleGaugeData().getPoints().stream())
          .filter(p -> topic.equals(p.getAttributes().get(TOPIC))).findFirst().orElseThrow().getValue();
      assertTrue(age >= 1.0 && age < 60, "oldest age " + age + " s");
      long redeliveries = metrics.stream().filter(m -> m.getName().equals("robustmq.gateway.queue.redeliveries"))
          .flatMap(m -> m.getLongSumData().getPoints().stream())
          .filter(p -> topic.equals(p.getAttributes().get(TOPIC))).findFirst().orElseThrow().getValue();
      assertEquals(3, redeliveries);
      // gRPC's own metrics, from the same OpenTelemetry: the calls just made.
      assertTrue(metrics.stream().anyMatch(m -> m.getName().equals("grpc.server.call.duration")),
          metrics.stream().map(MetricData::getName).toList().toString());

      StatsResponse stats = RobustMQGatewayAdminGrpc.newBlockingStub(gw.channel)
          .withDeadlineAfter(20, TimeUnit.SECONDS)
          .stats(StatsRequest.newBuilder().setTopicPrefix("test/" + gw.prefix + "/").build());
      assertEquals(1, stats.getTopicsCount(), stats.toString());
      TopicStats t = stats.getTopics(0);
      assertEquals(topic, t.getTopic());
      assertEquals(4, t.getDepth());
      assertEquals(3, t.getLeased());
      assertEquals(3, t.getRedeliveries());
      assertTrue(t.getOldestAgeMs() >= 1_000, t.toString());
      assertTrue(stats.getInstance().startsWith("robustmq-gateway-"), stats.getInstance());
    }
  }

  private static long gauge(Collection<MetricData> metrics, String name, String topic) {
    List<Long> values = metrics.stream().filter(m -> m.getName().equals(name))
        .flatMap(m -> m.getLongGaugeData().getPoints().stream())
        .filter(p -> topic.equals(p.getAttributes().get(TOPIC)))
        .map(p -> p.getValue()).toList();
    assertEquals(1, values.size(), name + " " + values);
    return values.get(0);
  }
}
