package io.grpcmqtt.gateway.kafka;

import io.grpcmqtt.gateway.kafka.internal.Utf8;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * Which Kafka topics are taken into the queues, and on which Gateway topic each record is stored:
 * {@code gatewayTopic} is a template in which {@code {key}} stands for the record's key, {@code
 * {header:NAME}} for the value of its header NAME and {@code {kafka-topic}} for the Kafka topic it
 * came from (all as UTF-8 text); anything else is literal. Written {@code
 * KAFKA_TOPIC[,KAFKA_TOPIC...][=TEMPLATE]} on the command line; the template defaults to {@code
 * {key}}: {@code orders} (the key is the Gateway topic), {@code orders,returns=shop/{kafka-topic}},
 * {@code telemetry=devices/{header:device-id}/telemetry}, {@code audit=audit/all}.
 */
public record KafkaIngestRule(List<String> kafkaTopics, String gatewayTopic) {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
  private static final String HEADER = "header:";

  public KafkaIngestRule {
    kafkaTopics = List.copyOf(kafkaTopics);
    Objects.requireNonNull(gatewayTopic, "gatewayTopic");
    if (kafkaTopics.isEmpty()) {
      throw new IllegalArgumentException("a Kafka ingest rule needs at least one Kafka topic");
    }
    for (String t : kafkaTopics) {
      if (!KafkaNames.isLegal(t, false) || t.length() > KafkaNames.MAX_TOPIC_LENGTH) {
        throw new IllegalArgumentException("Kafka ingest rule: '" + t + "' is not a Kafka topic name"
            + " (letters, digits, '.', '_', '-'; at most " + KafkaNames.MAX_TOPIC_LENGTH + ")");
      }
    }
    if (gatewayTopic.isEmpty()) {
      throw new IllegalArgumentException("Kafka ingest rule for " + kafkaTopics + ": the Gateway topic template is empty");
    }
    Matcher m = PLACEHOLDER.matcher(gatewayTopic);
    while (m.find()) {
      String p = m.group(1);
      if (!p.equals("key") && !p.equals("kafka-topic") && !(p.startsWith(HEADER) && p.length() > HEADER.length())) {
        throw new IllegalArgumentException("Kafka ingest rule for " + kafkaTopics + ": unknown placeholder {" + p
            + "}; use {key}, {header:NAME} or {kafka-topic}");
      }
    }
    String literal = PLACEHOLDER.matcher(gatewayTopic).replaceAll("");
    if (literal.contains("{") || literal.contains("}") || literal.contains("+") || literal.contains("#")) {
      throw new IllegalArgumentException("Kafka ingest rule for " + kafkaTopics + ": '" + gatewayTopic
          + "' is not a Gateway topic template (no '+', '#' or stray braces)");
    }
  }

  /** Parses {@code KAFKA_TOPIC[,KAFKA_TOPIC...][=TEMPLATE]}. */
  public static KafkaIngestRule parse(String rule) {
    int eq = rule.indexOf('=');
    String topics = eq < 0 ? rule : rule.substring(0, eq);
    String template = eq < 0 ? "{key}" : rule.substring(eq + 1);
    List<String> list = new ArrayList<>();
    for (String t : topics.split(",", -1)) {
      list.add(t.trim());
    }
    return new KafkaIngestRule(list, template);
  }

  /**
   * The Gateway topic of a record (not yet checked as a queue topic).
   *
   * @param headers the value of a record header by name, or null when it has none
   * @throws IllegalArgumentException naming what is missing (no key, no such header, not UTF-8)
   */
  public String gatewayTopic(String kafkaTopic, @Nullable byte[] key, Function<String, byte[]> headers) {
    Matcher m = PLACEHOLDER.matcher(gatewayTopic);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String p = m.group(1);
      String value;
      if (p.equals("key")) {
        if (key == null) {
          throw new IllegalArgumentException("the record has no key (the rule takes the Gateway topic from {key})");
        }
        value = utf8(key, "its key");
      } else if (p.equals("kafka-topic")) {
        value = kafkaTopic;
      } else {
        String name = p.substring(HEADER.length());
        byte[] v = headers.apply(name);
        if (v == null) {
          throw new IllegalArgumentException("the record has no header '" + name + "' (the rule takes {" + p + "})");
        }
        value = utf8(v, "header '" + name + "'");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String utf8(byte[] bytes, String what) {
    String text = Utf8.decode(bytes);
    if (text == null) {
      throw new IllegalArgumentException(what + " is not UTF-8 text");
    }
    return text;
  }

  @Override
  public String toString() {
    return String.join(",", kafkaTopics) + "=" + gatewayTopic;
  }
}
