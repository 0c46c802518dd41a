package io.grpcmqtt.gateway.kafka;

import io.grpcmqtt.gateway.internal.TopicFilters;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * Which Kafka topic a stored message goes to: messages whose Gateway topic matches {@code filter}
 * (an MQTT topic filter, {@code +} and {@code #} allowed) go to {@code kafkaTopic}, in which
 * {@code {topic}} stands for the Gateway topic made a legal Kafka name ({@code /} becomes
 * {@code .}, any other character outside {@code [A-Za-z0-9._-]} becomes {@code _}). An empty
 * {@code kafkaTopic} means: not produced. Written {@code FILTER=KAFKA_TOPIC} on the command line,
 * e.g. {@code sensors/#=iot-sensors}, {@code #=gw.{topic}}, {@code internal/#=}.
 */
public record KafkaOutRule(String filter, String kafkaTopic) {
  static final String TOPIC = "{topic}";

  public KafkaOutRule {
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(kafkaTopic, "kafkaTopic");
    String problem = TopicFilters.problem(filter);
    if (problem != null) {
      throw new IllegalArgumentException("Kafka out rule '" + filter + "=" + kafkaTopic + "': " + problem);
    }
    String fixed = kafkaTopic.replace(TOPIC, "");
    if (fixed.contains("{") || fixed.contains("}") || !KafkaNames.isLegal(fixed, true)) {
      throw new IllegalArgumentException("Kafka out rule '" + filter + "=" + kafkaTopic + "': the Kafka topic may"
          + " hold only letters, digits, '.', '_', '-' and the placeholder {topic}");
    }
    if (kafkaTopic.length() > KafkaNames.MAX_TOPIC_LENGTH) {
      throw new IllegalArgumentException("Kafka out rule '" + filter + "=" + kafkaTopic + "': a Kafka topic name has"
          + " at most " + KafkaNames.MAX_TOPIC_LENGTH + " characters");
    }
  }

  /** Parses {@code FILTER=KAFKA_TOPIC}; the last {@code =} separates them, as Kafka names have none. */
  public static KafkaOutRule parse(String rule) {
    int eq = rule.lastIndexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("Kafka out rule '" + rule + "' is not FILTER=KAFKA_TOPIC"
          + " (e.g. 'sensors/#=iot-sensors'; an empty KAFKA_TOPIC produces nothing)");
    }
    return new KafkaOutRule(rule.substring(0, eq), rule.substring(eq + 1));
  }

  /** Whether the rule applies to messages of {@code gatewayTopic}. */
  public boolean matches(String gatewayTopic) {
    return TopicFilters.matches(filter, gatewayTopic);
  }

  /** The Kafka topic for a message of {@code gatewayTopic} (which matches), or null: not produced. */
  @Nullable
  public String destination(String gatewayTopic) {
    if (kafkaTopic.isEmpty()) {
      return null;
    }
    return kafkaTopic.contains(TOPIC) ? kafkaTopic.replace(TOPIC, KafkaNames.legalize(gatewayTopic)) : kafkaTopic;
  }

  /** Whether the Kafka topic is a fixed name (no placeholder). */
  public boolean isFixed() {
    return !kafkaTopic.contains(TOPIC);
  }

  @Override
  public String toString() {
    return filter + "=" + kafkaTopic;
  }
}
