package io.grpcmqtt.gateway.kafka;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable settings of the Gateway's Kafka connector (docs/gateway.md, Kafka): where Kafka is,
 * the client properties for TLS or SASL, which stored messages are produced to which Kafka topics
 * ({@link KafkaOutRule}, first match wins), and which Kafka topics are taken into the queues
 * ({@link KafkaIngestRule}).
 *
 * <pre>{@code
 * KafkaConfig kafka = KafkaConfig.builder("kafka1:9092,kafka2:9092")
 *     .property("security.protocol", "SSL")
 *     .out("sensors/#", "iot-sensors")
 *     .ingest(KafkaIngestRule.parse("orders=shop/orders"))
 *     .build();
 * }</pre>
 */
public final class KafkaConfig {
  /** The Kafka topic every message goes to when no out rule is given. */
  public static final String DEFAULT_OUT_TOPIC = "robustmq-gateway";
  /** The consumer group of Kafka ingest when none is given. */
  public static final String DEFAULT_GROUP = "robustmq-gateway";
  static final String PRODUCER_PREFIX = "producer.";
  static final String CONSUMER_PREFIX = "consumer.";
  /** Properties the connector sets itself: its guarantees depend on them. */
  private static final Set<String> OWN = Set.of("bootstrap.servers", "key.serializer", "value.serializer",
      "key.deserializer", "value.deserializer", "enable.auto.commit", "group.id", "enable.idempotence",
      "transactional.id");

  private final String bootstrapServers;
  private final Map<String, String> properties;
  private final List<KafkaOutRule> out;
  private final List<KafkaIngestRule> ingest;
  private final String group;

  private KafkaConfig(Builder b, List<KafkaOutRule> out) {
    this.bootstrapServers = b.bootstrapServers;
    this.properties = Map.copyOf(b.properties);
    this.out = List.copyOf(out);
    this.ingest = List.copyOf(b.ingest);
    this.group = b.group;
  }

  /** Settings for the Kafka cluster at {@code bootstrapServers} ({@code host:port[,host:port…]}). */
  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Client properties as given: unprefixed ones apply to every client, {@code producer.}/{@code consumer.} ones to one. */
  public Map<String, String> properties() {
    return properties;
  }

  /** The out rules, in order; empty: Kafka out is off. */
  public List<KafkaOutRule> out() {
    return out;
  }

  public List<KafkaIngestRule> ingest() {
    return ingest;
  }

  /** The consumer group Kafka ingest commits its offsets in. */
  public String group() {
    return group;
  }

  /** Every Kafka topic an ingest rule reads. */
  public Set<String> ingestTopics() {
    Set<String> topics = new HashSet<>();
    ingest.forEach(r -> topics.addAll(r.kafkaTopics()));
    return topics;
  }

  /** The properties of a producer ({@code "producer."}) or consumer ({@code "consumer."}): common ones, then that kind's. */
  public Map<String, Object> clientProperties(String kindPrefix) {
    Map<String, Object> p = new LinkedHashMap<>();
    properties.forEach((k, v) -> {
      if (!k.startsWith(PRODUCER_PREFIX) && !k.startsWith(CONSUMER_PREFIX)) {
        p.put(k, v);
      }
    });
    properties.forEach((k, v) -> {
      if (k.startsWith(kindPrefix)) {
        p.put(k.substring(kindPrefix.length()), v);
      }
    });
    p.put("bootstrap.servers", bootstrapServers);
    return p;
  }

  /** Settings of a {@link KafkaConfig}; {@link #build()} checks them together. */
  public static final class Builder {
    private final String bootstrapServers;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final List<KafkaOutRule> out = new ArrayList<>();
    private boolean outOff;
    private final List<KafkaIngestRule> ingest = new ArrayList<>();
    private String group = DEFAULT_GROUP;

    private Builder(String bootstrapServers) {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      if (!bootstrapServers.matches("[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*")) {
        throw new IllegalArgumentException("Kafka bootstrap servers must be HOST:PORT[,HOST:PORT...], was '"
            + bootstrapServers + "'");
      }
      this.bootstrapServers = bootstrapServers;
    }

    /**
     * A Kafka client property (e.g. {@code security.protocol}, {@code sasl.jaas.config}); prefix
     * it with {@code producer.} or {@code consumer.} for one kind of client only.
     */
    public Builder property(String key, String value) {
      Objects.requireNonNull(value, "value");
      String bare = key.startsWith(PRODUCER_PREFIX) ? key.substring(PRODUCER_PREFIX.length())
          : key.startsWith(CONSUMER_PREFIX) ? key.substring(CONSUMER_PREFIX.length()) : key;
      if (bare.isEmpty()) {
        throw new IllegalArgumentException("empty Kafka property name '" + key + "'");
      }
      if (OWN.contains(bare)) {
        throw new IllegalArgumentException("Kafka property '" + key + "' is set by the Gateway"
            + (bare.equals("bootstrap.servers") ? " (use --kafka-bootstrap)" : bare.equals("group.id")
                ? " (use --kafka-group)" : ": the no-loss guarantees depend on it"));
      }
      if (bare.equals("acks") && !value.equals("all") && !value.equals("-1")) {
        throw new IllegalArgumentException("Kafka property '" + key + "=" + value
            + "': the Gateway produces with acks=all, which its no-loss guarantee needs");
      }
      properties.put(key, value);
      return this;
    }

    /** Produce messages of Gateway topics matching {@code filter} to {@code kafkaTopic} (see {@link KafkaOutRule}). */
    public Builder out(String filter, String kafkaTopic) {
      out.add(new KafkaOutRule(filter, kafkaTopic));
      return this;
    }

    /** Produce nothing (Kafka ingest only). Without rules and without this, everything goes to {@value #DEFAULT_OUT_TOPIC}. */
    public Builder noOut() {
      outOff = true;
      return this;
    }

    /** Take records of Kafka topics into the queues (repeatable). */
    public Builder ingest(KafkaIngestRule rule) {
      ingest.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /** The consumer group of Kafka ingest (default {@value #DEFAULT_GROUP}). */
    public Builder group(String group) {
      if (group == null || group.isBlank()) {
        throw new IllegalArgumentException("the Kafka consumer group must not be empty");
      }
      this.group = group;
      return this;
    }

    /**
     * The settings.
     *
     * @throws IllegalArgumentException when out rules are given with {@link #noOut()}, or a Kafka
     *     topic is both read by an ingest rule and written by an out rule (a loop)
     */
    public KafkaConfig build() {
      if (outOff && !out.isEmpty()) {
        throw new IllegalArgumentException("give Kafka out rules or turn Kafka out off, not both");
      }
      List<KafkaOutRule> rules = outOff ? List.of() : out.isEmpty()
          ? List.of(new KafkaOutRule("#", DEFAULT_OUT_TOPIC)) : out;
      Set<String> read = new HashSet<>();
      for (KafkaIngestRule r : ingest) {
        for (String t : r.kafkaTopics()) {
          if (!read.add(t)) {
            throw new IllegalArgumentException("Kafka topic '" + t + "' is in two ingest rules; give each topic one rule");
          }
        }
      }
      for (KafkaOutRule r : rules) {
        if (r.isFixed() && read.contains(r.kafkaTopic())) {
          throw new IllegalArgumentException("Kafka topic '" + r.kafkaTopic() + "' is both written (out rule '" + r
              + "') and read (ingest): that would loop; give them different topics"
              + (r.filter().equals("#") && out.isEmpty() ? " (with --kafka-out rules or --no-kafka-out)" : ""));
        }
      }
      return new KafkaConfig(this, rules);
    }
  }

  @Override
  public String toString() {
    return "Kafka " + bootstrapServers + " (out " + (out.isEmpty() ? "off" : out.toString())
        + ", ingest " + (ingest.isEmpty() ? "none" : ingest + " in group " + group) + ")"
        + (properties.isEmpty() ? "" : " with properties " + String.join(", ", properties.keySet()));
  }
}
