package io.grpcmqtt.gateway.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpcmqtt.gateway.Gateway;
import io.grpcmqtt.gateway.GatewayConfig;
import io.grpcmqtt.gateway.kafka.KafkaConfig;
import io.grpcmqtt.gateway.kafka.KafkaIngestRule;
import io.grpcmqtt.gateway.kafka.testing.KafkaTestBroker;
import io.grpcmqtt.gateway.store.MessageStore;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kafka producers feed the queues, and the SDK receives what they produced, over both transports:
 * a real KRaft broker (started once for the class), a Gateway with a Kafka ingest rule that takes
 * the Gateway topic from the record key, and a plain {@link KafkaProducer}.
 */
class GatewayClientKafkaTest {
  private static final TestBroker BROKER = Brokers.hivemq();
  private static final String KAFKA_TOPIC = "sdk-orders";
  private static KafkaTestBroker kafka;
  private static Gateway gateway;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    kafka = KafkaTestBroker.start(Path.of("target", "kafka", GatewayClientKafkaTest.class.getSimpleName()));
    gateway = Gateway.start(GatewayConfig.builder(BROKER.uri())
        .grpcListen(new InetSocketAddress("127.0.0.1", 0))
        .pollInterval(Duration.ofMillis(200))
        .kafka(KafkaConfig.builder(kafka.bootstrap()).noOut().ingest(KafkaIngestRule.parse(KAFKA_TOPIC)).build())
        .build(), MessageStore.h2(dir));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mqtt", "http2"})
  void recordsOfAKafkaProducerAreReceivedThroughTheSdk(String transport) throws Exception {
    String topic = "sdk-kafka/" + ProcessHandle.current().pid() + "/" + transport;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(), ProducerConfig.ACKS_CONFIG, "all"),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String v : List.of("k1", "k2", "k3")) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(KAFKA_TOPIC, topic.getBytes(UTF_8), v.getBytes(UTF_8));
        r.headers().add("source", "kafka".getBytes(UTF_8));
        producer.send(r).get(30, TimeUnit.SECONDS);
      }
    }
    String uri = transport.equals("mqtt") ? BROKER.uri() : "grpc://127.0.0.1:" + gateway.grpcPort();
    try (GatewayClient client = GatewayClient.connect(uri)) {
      List<GatewayMessage> got = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (got.size() < 3 && System.nanoTime() < deadline) {
        got.addAll(client.receive(topic, 10, Duration.ofSeconds(2)));
      }
      assertEquals(List.of("k1", "k2", "k3"), got.stream().map(GatewayMessage::payloadUtf8).toList());
      assertEquals("kafka", got.get(0).headers().get("source"));
      got.forEach(m -> client.ack(topic, m.msgId()));
    }
  }
}
