package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.gateway.kafka.testing.KafkaTestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The premises of docs/kafka-share-groups.md, checked against the real broker the tests use: if a
 * Kafka upgrade changes one, this fails and the note (and its verdict) must be revisited.
 */
class ShareGroupFactsTest {
  private static KafkaTestBroker kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = KafkaTestBroker.start(Path.of("target", "kafka", ShareGroupFactsTest.class.getSimpleName()));
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void redeliveryIsCappedAndOnlyTheHolderAcknowledges() throws Exception {
    String topic = "facts";
    String group = "facts-group";
    kafka.createTopic(topic, 1);
    try (Admin admin = kafka.admin()) {
      ConfigResource g = new ConfigResource(ConfigResource.Type.GROUP, group);
      admin.incrementalAlterConfigs(Map.of(g, List.of(
          new AlterConfigOp(new ConfigEntry("share.delivery.count.limit", "2"), AlterConfigOp.OpType.SET),
          new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
          .all().get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<byte[], byte[]> producer = KafkaRecords.producer(kafka.bootstrap())) {
      KafkaRecords.produce(producer, topic, "k", "crashes its consumers", Map.of());
    }

    try (KafkaShareConsumer<String, String> a = consumer(group);
        KafkaShareConsumer<String, String> b = consumer(group)) {
      a.subscribe(List.of(topic));
      b.subscribe(List.of(topic));
      // First delivery: A holds it. B, in the same group, cannot acknowledge what A acquired.
      ConsumerRecord<String, String> held = pollOne(a);
      assertEquals(Optional.of((short) 1), held.deliveryCount());
      assertThrows(IllegalStateException.class,
          () -> b.acknowledge(topic, held.partition(), held.offset(), AcknowledgeType.ACCEPT));
      // The holder gives it back (as a Gateway consumer that died would, through its lock's end).
      a.acknowledge(held, AcknowledgeType.RELEASE);
      a.commitSync(Duration.ofSeconds(20));
      ConsumerRecord<String, String> again = pollOne(a);
      assertEquals(held.offset(), again.offset());
      assertEquals(Optional.of((short) 2), again.deliveryCount());
      a.acknowledge(again, AcknowledgeType.RELEASE);
      a.commitSync(Duration.ofSeconds(20));
      // Delivery limit reached: the record is archived, though nobody accepted it.
      List<ConsumerRecord<String, String>> after = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < deadline) {
        a.poll(Duration.ofMillis(500)).forEach(after::add);
        b.poll(Duration.ofMillis(500)).forEach(after::add);
      }
      assertTrue(after.isEmpty(), "delivered again after the limit: " + after);
    }
  }

  private static KafkaShareConsumer<String, String> consumer(String group) {
    return new KafkaShareConsumer<>(Map.of(
        "bootstrap.servers", kafka.bootstrap(),
        "group.id", group,
        "share.acknowledgement.mode", "explicit"), new StringDeserializer(), new StringDeserializer());
  }

  private static ConsumerRecord<String, String> pollOne(KafkaShareConsumer<String, String> c) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
        return r;
      }
    }
    throw new AssertionError("no record within 30 s");
  }
}
