package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.gateway.kafka.KafkaConfig;
import io.grpcmqtt.gateway.kafka.KafkaIngestRule;
import io.grpcmqtt.gateway.kafka.KafkaOutRule;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Kafka options and rules: mapping, parsing, and every refusal named (no Kafka needed). */
class KafkaOptionsTest {

  @Test
  void outRulesMapGatewayTopicsFirstMatchWins() {
    KafkaOutRule sensors = KafkaOutRule.parse("sensors/+/temp=iot-temp");
    assertTrue(sensors.matches("sensors/room1/temp"));
    assertEquals("iot-temp", sensors.destination("sensors/room1/temp"));
    KafkaOutRule perTopic = KafkaOutRule.parse("#=gw.{topic}");
    assertEquals("gw.sensors.room_1.t_C", perTopic.destination("sensors/room 1/t°C"));
    assertNull(KafkaOutRule.parse("internal/#=").destination("internal/x"));
    KafkaConfig config = KafkaConfig.builder("127.0.0.1:9092").out("internal/#", "").out("#", "all").build();
    assertEquals(List.of("internal/#=", "#=all"), config.out().stream().map(Object::toString).toList());
    assertEquals(List.of("#=" + KafkaConfig.DEFAULT_OUT_TOPIC),
        KafkaConfig.builder("k:9092").build().out().stream().map(Object::toString).toList());
    assertTrue(KafkaConfig.builder("k:9092").noOut().build().out().isEmpty());
  }

  @Test
  void ingestRulesTakeTheTopicFromKeyHeaderOrTemplate() {
    KafkaIngestRule byKey = KafkaIngestRule.parse("orders");
    assertEquals(List.of("orders"), byKey.kafkaTopics());
    assertEquals("shop/o1", byKey.gatewayTopic("orders", "shop/o1".getBytes(StandardCharsets.UTF_8), h -> null));
    IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class,
        () -> byKey.gatewayTopic("orders", null, h -> null));
    assertTrue(noKey.getMessage().contains("no key"), noKey.getMessage());
    assertThrows(IllegalArgumentException.class, () -> byKey.gatewayTopic("orders", new byte[] {(byte) 0xff}, h -> null));

    KafkaIngestRule byHeader = KafkaIngestRule.parse("a,b=devices/{header:id}/{kafka-topic}");
    assertEquals(List.of("a", "b"), byHeader.kafkaTopics());
    assertEquals("devices/d7/b", byHeader.gatewayTopic("b", null,
        h -> h.equals("id") ? "d7".getBytes(StandardCharsets.UTF_8) : null));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> byHeader.gatewayTopic("a", null, h -> null))
        .getMessage().contains("no header 'id'"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "--kafka-out=#=x|the --kafka-* options need --kafka-bootstrap",
      "--kafka-bootstrap=kafka|Kafka bootstrap servers must be HOST:PORT",
      "--kafka-bootstrap=k:9092 --kafka-out=sensors|is not FILTER=KAFKA_TOPIC",
      "--kafka-bootstrap=k:9092 --kafka-out=a/#/b=x|'#' must be the last level",
      "--kafka-bootstrap=k:9092 --kafka-out=#=bad/name|the Kafka topic may hold only letters",
      "--kafka-bootstrap=k:9092 --kafka-out=#=x --no-kafka-out|give Kafka out rules or turn Kafka out off",
      "--kafka-bootstrap=k:9092 --kafka-ingest=robustmq-gateway|'robustmq-gateway' is both written",
      "--kafka-bootstrap=k:9092 --kafka-out=#=t --kafka-ingest=t|that would loop",
      "--kafka-bootstrap=k:9092 --kafka-ingest=a/b|'a/b' is not a Kafka topic name",
      "--kafka-bootstrap=k:9092 --no-kafka-out --kafka-ingest=a={nope}|unknown placeholder {nope}",
      "--kafka-bootstrap=k:9092 --no-kafka-out --kafka-ingest=a=x/#|is not a Gateway topic template",
      "--kafka-bootstrap=k:9092 --no-kafka-out --kafka-ingest=a --kafka-ingest=a=b|is in two ingest rules",
      "--kafka-bootstrap=k:9092 --kafka-property=acks=1|the Gateway produces with acks=all",
      "--kafka-bootstrap=k:9092 --kafka-property=producer.enable.idempotence=false|the no-loss guarantees depend on it",
      "--kafka-bootstrap=k:9092 --kafka-property=group.id=x|use --kafka-group",
      "--kafka-bootstrap=k:9092 --kafka-property=linger.ms|--kafka-property must be KEY=VALUE",
      "--kafka-bootstrap=k:9092 --kafka-config=/nonexistent/kafka.properties|cannot read --kafka-config"})
  void badKafkaOptionsGiveOneLineAndExitTwo(String spec) {
    String[] parts = spec.split("\\|");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(parts[0].split(" "), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String first = err.toString(StandardCharsets.UTF_8).lines().findFirst().orElse("");
    assertEquals(2, code, first);
    assertTrue(first.startsWith("error: ") && first.contains(parts[1]), first);
  }

  @Test
  void propertiesComeFromAFileTheCommandLineAndTheEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("kafka.properties");
    Files.writeString(file, "security.protocol=SASL_SSL\nconsumer.auto.offset.reset=latest\nlinger.ms=1\n");
    GatewayCommand command = new GatewayCommand();
    GatewayCommand.parser(command, Map.of("GATEWAY_KAFKA_INGEST", "a=x/{key};b,c=y"))
        .parseArgs("--kafka-bootstrap", "k:9092", "--kafka-config", file.toString(), "--kafka-property", "linger.ms=20",
            "--kafka-out", "x/#=xs", "--kafka-property",
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p;q\";");
    KafkaConfig kafka = command.config("tcp://127.0.0.1:1883").kafka();
    assertEquals("20", kafka.clientProperties("producer.").get("linger.ms"), "the command line wins");
    assertEquals("SASL_SSL", kafka.clientProperties("producer.").get("security.protocol"));
    assertNull(kafka.clientProperties("producer.").get("auto.offset.reset"));
    assertEquals("latest", kafka.clientProperties("consumer.").get("auto.offset.reset"));
    assertEquals("k:9092", kafka.clientProperties("consumer.").get("bootstrap.servers"));
    assertEquals(List.of("a=x/{key}", "b,c=y"), kafka.ingest().stream().map(Object::toString).toList());
    assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p;q\";",
        kafka.clientProperties("consumer.").get("sasl.jaas.config"), "a value may hold ';'");
  }
}
