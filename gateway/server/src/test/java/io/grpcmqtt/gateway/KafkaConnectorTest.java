package io.grpcmqtt.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.gateway.kafka.KafkaConfig;
import io.grpcmqtt.gateway.kafka.KafkaIngestRule;
import io.grpcmqtt.gateway.kafka.testing.KafkaTestBroker;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Gateway and a real Kafka (a single-node KRaft broker this class starts once, from Apache
 * Kafka's own artifacts): what is sent is read by plain Kafka consumers, Kafka records are received
 * from the queues, and neither a Gateway kill -9 nor a Kafka outage loses an acknowledged Send.
 */
class KafkaConnectorTest {
  private static final AtomicInteger N = new AtomicInteger();
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
  /** How long the outage test keeps Kafka away; longer outages: -Dgateway.test.kafkaOutageSeconds=300. */
  private static final int OUTAGE_SECONDS = Integer.getInteger("gateway.test.kafkaOutageSeconds", 3);
  private static KafkaTestBroker kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = KafkaTestBroker.start(Path.of("target", "kafka", KafkaConnectorTest.class.getSimpleName()));
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static String unique(String name) {
    return name + "-" + ProcessHandle.current().pid() + "-" + N.incrementAndGet();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.gateway.StoreKind#both")
  void whatADeviceSendsIsReadByAPlainKafkaConsumer(StoreKind kind) throws Exception {
    String kafkaTopic = unique("device-out");
    TestBroker broker = Brokers.hivemq();
    try (StoreKind.Location location = kind.newLocation();
        TestGateway gw = new TestGateway(broker, location,
            b -> b.kafka(KafkaConfig.builder(kafka.bootstrap()).out("test/#", kafkaTopic).build()))) {
      String topic = gw.topic("sensors/room1");
      Tools.Run pub = Tools.run(Tools.binary("mosquitto_pub", "mosquitto-clients"), "-V", "mqttv5",
          "-h", broker.host(), "-p", Integer.toString(broker.port()), "-q", "1",
          "-t", "gateway/send/" + topic, "-m", "21.5");
      assertEquals(0, pub.exit(), pub.stderr());
      // Stored before the next Send, so the order in Kafka is known.
      assertEquals(1, receiveAtLeast(gw, topic, 1).size());
      String id = gw.blocking().send(SendRequest.newBuilder().setTopic(topic)
          .setPayload(ByteString.copyFromUtf8("22.0")).putHeaders("unit", "C").build()).getMsgId();

      List<KafkaRecords.Text> records = KafkaRecords.read(kafka.bootstrap(), kafkaTopic, 2, READ_TIMEOUT);
      assertEquals(2, records.size(), records.toString());
      KafkaRecords.Text device = records.get(0);
      assertEquals(topic, device.key(), "the Gateway topic is the key");
      assertEquals("21.5", device.value());
      assertTrue(device.header("robustmq-msg-id").matches("\\d+"), device.toString());
      assertEquals(Long.toString(device.timestamp()), device.header("robustmq-timestamp-ms"));
      KafkaRecords.Text sent = records.get(1);
      assertEquals("22.0", sent.value());
      assertEquals(id, sent.header("robustmq-msg-id"));
      assertEquals("C", sent.header("unit"));
      assertEquals(3, sent.headers().size(), sent.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.gateway.StoreKind#both")
  void kafkaProducerRecordsAreReceivedThroughAGrpcStub(StoreKind kind) throws Exception {
    String in = unique("orders");
    String devices = unique("telemetry");
    String out = unique("copies");
    String group = unique("group");
    String base = "kafka/" + unique("q");
    kafka.createTopic(in, 2);
    try (StoreKind.Location location = kind.newLocation();
        TestGateway gw = new TestGateway(Brokers.hivemq(), location, b -> b.kafka(KafkaConfig.builder(kafka.bootstrap())
            .out("#", out)
            .ingest(KafkaIngestRule.parse(in))
            .ingest(KafkaIngestRule.parse(devices + "=" + base + "/devices/{header:device}"))
            .group(group)
            .build()));
        KafkaProducer<byte[], byte[]> producer = KafkaRecords.producer(kafka.bootstrap())) {
      String orders = base + "/orders";
      KafkaRecords.produce(producer, in, orders, "o1", Map.of("trace", "abc"));
      KafkaRecords.produce(producer, in, orders, "o2", Map.of());
      KafkaRecords.produce(producer, in, null, "no key: passed over", Map.of());
      KafkaRecords.produce(producer, in, orders, "the Gateway's own: skipped", Map.of("robustmq-msg-id", "99"));
      KafkaRecords.produce(producer, in, orders, "o3", Map.of());
      KafkaRecords.produce(producer, devices, null, "t1", Map.of("device", "d7"));

      List<Message> got = receiveAtLeast(gw, orders, 3);
      assertEquals(List.of("o1", "o2", "o3"), got.stream().map(m -> m.getPayload().toStringUtf8()).toList());
      assertEquals(Map.of("trace", "abc"), got.get(0).getHeadersMap());
      assertEquals("t1", receiveAtLeast(gw, base + "/devices/d7", 1).get(0).getPayload().toStringUtf8());

      // Offsets are committed once stored: every record of `in` counts, the passed-over ones too.
      try (Admin admin = kafka.admin()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
          Map<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> committed =
              admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
          return committed.entrySet().stream().filter(e -> e.getKey().topic().equals(in))
              .mapToLong(e -> e.getValue().offset()).sum() == 5;
        });
      }
      // Stored as if sent: Kafka out copies them too, and the Gateway's own records are not taken back in.
      List<KafkaRecords.Text> copies = KafkaRecords.read(kafka.bootstrap(), out, 4, READ_TIMEOUT);
      assertEquals(4, copies.size(), copies.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.gateway.StoreKind#both")
  void duringAKafkaOutageTheBacklogGrowsAndThenDrainsLosingNothing(StoreKind kind) throws Exception {
    String kafkaTopic = unique("outage");
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build()).build();
        StoreKind.Location location = kind.newLocation();
        TestGateway gw = new TestGateway(Brokers.hivemq(), location, b -> b.openTelemetry(otel)
            .kafka(KafkaConfig.builder(kafka.bootstrap()).out("test/#", kafkaTopic).build()))) {
      String topic = gw.topic("outage");
      Set<String> sent = new HashSet<>();
      for (int i = 0; i < 5; i++) {
        sent.add(GatewaySemanticsTest.send(gw, topic, "before-" + i));
      }
      assertEquals(5, KafkaRecords.read(kafka.bootstrap(), kafkaTopic, 5, READ_TIMEOUT).size());
      kafka.stop();
      try {
        for (int i = 0; i < 200; i++) {
          sent.add(GatewaySemanticsTest.send(gw, topic, "during-" + i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> gauge(reader, "robustmq.gateway.kafka.out.backlog") == 200);
        // Kafka stays away until the oldest waiting message is OUTAGE_SECONDS old.
        await().atMost(Duration.ofSeconds(OUTAGE_SECONDS + 30)).pollInterval(Duration.ofMillis(200))
            .until(() -> gauge(reader, "robustmq.gateway.kafka.out.backlog_age") >= OUTAGE_SECONDS);
      } finally {
        kafka.start();
      }
      await().atMost(READ_TIMEOUT).until(() -> gauge(reader, "robustmq.gateway.kafka.out.backlog") == 0);
      List<KafkaRecords.Text> records = KafkaRecords.read(kafka.bootstrap(), kafkaTopic, 205, READ_TIMEOUT);
      Map<String, Integer> copies = countById(records);
      assertEquals(sent, copies.keySet(), "every acknowledged Send reached Kafka");
      assertEquals(205, records.size(), "no duplicates without a crash");
      List<String> order = records.stream().map(KafkaRecords.Text::value).toList();
      assertEquals("during-199", order.get(order.size() - 1), "per-topic order kept");
      assertTrue(gauge(reader, "robustmq.gateway.kafka.out.produced") >= 205);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.gateway.StoreKind#both")
  void aGatewayKilledBetweenStoreCommitAndProduceLosesNothing(StoreKind kind) throws Exception {
    TestBroker broker = Brokers.hivemq();
    String prefix = "kcrash" + ProcessHandle.current().pid() + kind;
    String topic = "durable/" + prefix;
    String kafkaTopic = unique("crash");
    try (StoreKind.Location location = kind.newLocation()) {
      List<String> args = new ArrayList<>(List.of("--broker", broker.uri(), "--rpc-prefix", prefix,
          "--kafka-bootstrap", kafka.bootstrap(), "--kafka-out", "durable/#=" + kafkaTopic));
      args.addAll(location.cliArgs);
      ManagedChannel channel = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).build();
      Set<String> acknowledged = new HashSet<>();
      try {
        var stub = RobustMQGatewayGrpc.newBlockingStub(channel);
        try (GatewayProcess first = GatewayProcess.start(args)) {
          for (int i = 0; i < 50; i++) {
            acknowledged.add(send(stub, topic, "produced-" + i));
          }
          assertEquals(50, KafkaRecords.read(kafka.bootstrap(), kafkaTopic, 50, READ_TIMEOUT).size());
          // Kafka away: these are committed to the store, and cannot be produced.
          kafka.stop();
          for (int i = 0; i < 150; i++) {
            acknowledged.add(send(stub, topic, "waiting-" + i));
          }
          first.kill9();
          assertEquals(137, first.process.exitValue(), "killed by SIGKILL");
        } finally {
          kafka.start();
        }
        try (GatewayProcess second = GatewayProcess.start(args)) {
          List<KafkaRecords.Text> records = KafkaRecords.read(kafka.bootstrap(), kafkaTopic, 200, READ_TIMEOUT);
          Map<String, Integer> copies = countById(records);
          assertEquals(acknowledged, copies.keySet(), "every acknowledged Send reached Kafka");
          assertTrue(records.size() - 200 <= 500, "duplicates bounded by one relay batch: " + records.size());
          assertEquals(143, second.terminate());
          assertTrue(second.log().contains("Relaying stored messages to Kafka"), second.log());
        }
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void aMessageKafkaRefusesIsParkedAndTheRestFlows() throws Exception {
    String kafkaTopic = unique("parked");
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build()).build();
        StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(Brokers.hivemq(), location, b -> b.openTelemetry(otel).maxPayloadBytes(2 << 20)
            .kafka(KafkaConfig.builder(kafka.bootstrap()).out("test/#", kafkaTopic).build()))) {
      String topic = gw.topic("big");
      GatewaySemanticsTest.send(gw, topic, "small-1");
      // 1.5 MiB: the Gateway takes it, the broker's message.max.bytes (1 MiB by default) does not.
      gw.blocking().send(SendRequest.newBuilder().setTopic(topic)
          .setPayload(ByteString.copyFrom(new byte[3 << 19])).build());
      GatewaySemanticsTest.send(gw, topic, "small-2");
      List<KafkaRecords.Text> records = KafkaRecords.read(kafka.bootstrap(), kafkaTopic, 2, READ_TIMEOUT);
      assertEquals(List.of("small-1", "small-2"), records.stream().map(KafkaRecords.Text::value).toList());
      await().atMost(Duration.ofSeconds(20)).until(() -> gauge(reader, "robustmq.gateway.kafka.out.parked") == 1);
      assertEquals(0, gauge(reader, "robustmq.gateway.kafka.out.backlog"));
      assertEquals(3, GatewaySemanticsTest.receive(gw, topic, 10, 0, 60_000).size(), "the queue has all three");
    }
  }

  @Test
  void gatewaysSharingPostgresProduceEachMessageOnce() throws Exception {
    String kafkaTopic = unique("shared");
    TestBroker broker = Brokers.hivemq();
    KafkaConfig config = KafkaConfig.builder(kafka.bootstrap()).out("test/#", kafkaTopic).build();
    try (StoreKind.Location location = StoreKind.POSTGRES.newLocation();
        TestGateway a = new TestGateway(broker, location, b -> b.kafka(config));
        TestGateway b = new TestGateway(broker, location, c -> c.kafka(config))) {
      String topic = a.topic("shared");
      Set<String> sent = new HashSet<>();
      for (int i = 0; i < 100; i++) {
        sent.add(GatewaySemanticsTest.send(i % 2 == 0 ? a : b, topic, "m" + i));
      }
      List<KafkaRecords.Text> records = KafkaRecords.read(kafka.bootstrap(), kafkaTopic, 100, READ_TIMEOUT);
      assertEquals(sent, countById(records).keySet());
      assertEquals(100, records.size(), "each message produced once, by the one relaying instance");

      // Another deployment, in another schema of the same database, relays on its own meanwhile.
      String otherTopic = unique("other-schema");
      try (StoreKind.Location otherSchema = StoreKind.POSTGRES.newLocation();
          TestGateway other = new TestGateway(broker, otherSchema,
              c -> c.kafka(KafkaConfig.builder(kafka.bootstrap()).out("test/#", otherTopic).build()))) {
        GatewaySemanticsTest.send(other, other.topic("x"), "elsewhere");
        assertEquals(1, KafkaRecords.read(kafka.bootstrap(), otherTopic, 1, READ_TIMEOUT).size());
      }
    }
  }

  private static String send(RobustMQGatewayGrpc.RobustMQGatewayBlockingStub stub, String topic, String payload) {
    return stub.withDeadlineAfter(20, TimeUnit.SECONDS).send(SendRequest.newBuilder().setTopic(topic)
        .setPayload(ByteString.copyFromUtf8(payload)).build()).getMsgId();
  }

  private static List<Message> receiveAtLeast(TestGateway gw, String topic, int n) {
    List<Message> got = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (got.size() < n && System.nanoTime() < deadline) {
      got.addAll(GatewaySemanticsTest.receive(gw, topic, 10, 2_000, 60_000));
    }
    assertEquals(n, got.size(), got.toString());
    return got;
  }

  private static Map<String, Integer> countById(List<KafkaRecords.Text> records) {
    Map<String, Integer> copies = new LinkedHashMap<>();
    for (KafkaRecords.Text r : records) {
      copies.merge(r.header("robustmq-msg-id"), 1, Integer::sum);
    }
    return copies;
  }

  private static double gauge(InMemoryMetricReader reader, String name) {
    Map<String, Double> values = new HashMap<>();
    for (MetricData m : reader.collectAllMetrics()) {
      switch (m.getType()) {
        case LONG_GAUGE -> m.getLongGaugeData().getPoints().forEach(p -> values.put(m.getName(), (double) p.getValue()));
        case DOUBLE_GAUGE -> m.getDoubleGaugeData().getPoints().forEach(p -> values.put(m.getName(), p.getValue()));
        case LONG_SUM -> m.getLongSumData().getPoints().forEach(p -> values.merge(m.getName(), (double) p.getValue(), Double::sum));
        default -> { }
      }
    }
    return values.getOrDefault(name, -1.0);
  }
}
