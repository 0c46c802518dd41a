package io.grpcmqtt.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain Kafka clients for the tests: what a data platform reading or feeding the Gateway would run. */
final class KafkaRecords {
  private KafkaRecords() {}

  /** One record as text. */
  record Text(String key, String value, Map<String, String> headers, long timestamp) {
    String header(String name) {
      return headers.get(name);
    }
  }

  /**
   * Reads {@code topic} from its beginning with a plain {@link KafkaConsumer} (no group) until at
   * least {@code atLeast} records arrived or {@code timeout} passed; then drains what else is there.
   */
  static List<Text> read(String bootstrap, String topic, int atLeast, Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<Text> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      long deadline = System.nanoTime() + timeout.toNanos();
      List<TopicPartition> partitions = List.of();
      while (partitions.isEmpty() && System.nanoTime() < deadline) {
        partitions = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
            .map(i -> new TopicPartition(topic, i.partition())).toList();
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      int emptyPolls = 0;
      while (System.nanoTime() < deadline && (out.size() < atLeast || emptyPolls < 2)) {
        var records = c.poll(Duration.ofMillis(500));
        emptyPolls = records.isEmpty() ? emptyPolls + 1 : 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
          Map<String, String> headers = new HashMap<>();
          for (Header h : r.headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
          }
          out.add(new Text(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
              r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8), headers, r.timestamp()));
        }
      }
    }
    return out;
  }

  /** A producer with acks=all; the caller closes it. */
  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Produces one record and waits for Kafka's acknowledgement. */
  static void produce(KafkaProducer<byte[], byte[]> producer, String topic, String key, String value,
      Map<String, String> headers) throws Exception {
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8));
    headers.forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
    producer.send(r).get(30, TimeUnit.SECONDS);
  }
}
