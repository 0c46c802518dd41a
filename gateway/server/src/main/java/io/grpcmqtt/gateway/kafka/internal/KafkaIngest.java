package io.grpcmqtt.gateway.kafka.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpcmqtt.gateway.internal.RateLimitedLog;
import io.grpcmqtt.gateway.kafka.KafkaConfig;
import io.grpcmqtt.gateway.kafka.KafkaIngestRule;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes records of the ingest rules' Kafka topics into the queues, each stored as if sent (the
 * same checks and store entry as a {@code Send}), and commits a partition's offset only once every
 * record before it is stored (or refused), so a crash re-reads at most one poll's records (the
 * duplicates docs/gateway.md bounds) and never skips one. Several Gateways in the same consumer
 * group split the partitions.
 *
 * <p>Records carrying the Gateway's own {@code robustmq-msg-id} header (what Kafka out produced)
 * are skipped: no loops. A record that cannot become a message (no key where the rule takes it,
 * an invalid topic, a payload over the limit) is refused with a rate-limited WARN and counted, and
 * reading goes on. While the store is unavailable, reading stops and the same records are tried
 * again with back-off.
 */
public final class KafkaIngest implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaIngest.class);
  private static final AttributeKey<String> KAFKA_TOPIC = AttributeKey.stringKey("kafka_topic");
  private static final int MAX_POLL_RECORDS = 100;
  private static final long MIN_BACKOFF_MILLIS = 500;
  private static final long MAX_BACKOFF_MILLIS = 15_000;

  /** Where records go: the Gateway's Send path. */
  public interface Sink {
    void store(String topic, byte[] payload, Map<String, String> headers) throws StatusException;
  }

  private final KafkaConfig config;
  private final Sink sink;
  private final Map<String, KafkaIngestRule> rules = new HashMap<>();
  private final Thread thread;
  private final RateLimitedLog refusals = new RateLimitedLog(log);
  private final RateLimitedLog failures = new RateLimitedLog(log);
  private final LongCounter stored;
  private final LongCounter refused;
  private final LongCounter skipped;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean closed;
  private final Object pause = new Object();

  public KafkaIngest(KafkaConfig config, Sink sink, Meter meter) {
    this.config = config;
    this.sink = sink;
    for (KafkaIngestRule r : config.ingest()) {
      r.kafkaTopics().forEach(t -> rules.put(t, r));
    }
    this.thread = new Thread(this::run, "gateway-kafka-ingest");
    thread.setDaemon(true);
    this.stored = meter.counterBuilder("robustmq.gateway.kafka.in.stored")
        .setDescription("Kafka records stored in a queue").setUnit("{record}").build();
    this.refused = meter.counterBuilder("robustmq.gateway.kafka.in.refused")
        .setDescription("Kafka records that could not become a message (logged) and were passed over")
        .setUnit("{record}").build();
    this.skipped = meter.counterBuilder("robustmq.gateway.kafka.in.skipped")
        .setDescription("Kafka records the Gateway produced itself (Kafka out), passed over to avoid loops")
        .setUnit("{record}").build();
  }

  /** Connects and starts reading (the consumer is created here, so bad properties fail the start). */
  public void start() {
    consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread.start();
  }

  Map<String, Object> consumerProperties() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "robustmq-gateway-ingest-" + UUID.randomUUID().toString().substring(0, 8));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
    p.putAll(config.clientProperties("consumer."));
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return p;
  }

  private void run() {
    KafkaConsumer<byte[], byte[]> c = consumer;
    try {
      c.subscribe(rules.keySet(), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          if (!partitions.isEmpty()) {
            log.info("Kafka ingest: partitions revoked {}", partitions);
          }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          if (!partitions.isEmpty()) {
            log.info("Kafka ingest: partitions assigned {}", partitions);
          }
        }
      });
      log.info("Kafka ingest reading {} from {} in consumer group '{}'", rules.keySet(),
          config.bootstrapServers(), config.group());
      long backoff = MIN_BACKOFF_MILLIS;
      while (!closed) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = c.poll(Duration.ofMillis(500));
        } catch (WakeupException e) {
          break;
        } catch (KafkaException e) {
          failures.warn("Kafka ingest: poll failed ({}); retrying in {} ms", e.getMessage(), backoff);
          sleep(backoff);
          backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
          continue;
        }
        if (records.isEmpty()) {
          continue;
        }
        if (storeAll(c, records)) {
          backoff = MIN_BACKOFF_MILLIS;
        } else {
          sleep(backoff);
          backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
      }
    } catch (WakeupException e) {
      // close() asked to stop.
    } catch (RuntimeException e) {
      if (!closed) {
        log.error("Kafka ingest stopped", e);
      }
    } finally {
      c.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  /**
   * Stores a poll's records partition by partition and commits what was stored. Returns false when
   * the store failed: that partition is rewound to the first record not stored.
   */
  private boolean storeAll(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    boolean ok = true;
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
      for (ConsumerRecord<byte[], byte[]> r : list) {
        if (closed || !ok) {
          // Not stored: read it again (after the back-off, or on the next start).
          c.seek(tp, r.offset());
          break;
        }
        try {
          take(r);
          done.put(tp, new OffsetAndMetadata(r.offset() + 1));
        } catch (StatusException e) {
          failures.warn("Kafka ingest: the store is unavailable ({}); record {}-{}@{} and what follows wait",
              e.getStatus().getDescription(), r.topic(), r.partition(), r.offset());
          ok = false;
          c.seek(tp, r.offset());
          break;
        }
      }
    }
    if (!done.isEmpty()) {
      try {
        c.commitSync(done);
      } catch (WakeupException e) {
        throw e;
      } catch (KafkaException e) {
        // Stored but not committed: the records are read again (duplicates, see docs/gateway.md).
        failures.warn("Kafka ingest: offset commit failed ({}); stored records will be read again", e.getMessage());
      }
    }
    return ok;
  }

  /** Stores one record, or passes it over with a reason; throws only when the store is unavailable. */
  private void take(ConsumerRecord<byte[], byte[]> r) throws StatusException {
    if (r.headers().lastHeader(KafkaHeaders.MSG_ID) != null) {
      skipped.add(1, Attributes.of(KAFKA_TOPIC, r.topic()));
      return;
    }
    String topic;
    try {
      topic = rules.get(r.topic()).gatewayTopic(r.topic(), r.key(), name -> {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : h.value();
      });
    } catch (IllegalArgumentException e) {
      refuse(r, e.getMessage());
      return;
    }
    try {
      sink.store(topic, r.value() == null ? new byte[0] : r.value(), headers(r));
      stored.add(1, Attributes.of(KAFKA_TOPIC, r.topic()));
    } catch (StatusException e) {
      if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
        throw e;
      }
      refuse(r, e.getStatus().getDescription());
    }
  }

  private void refuse(ConsumerRecord<byte[], byte[]> r, String why) {
    refused.add(1, Attributes.of(KAFKA_TOPIC, r.topic()));
    refusals.warn("Kafka ingest: record {}-{}@{} passed over: {}", r.topic(), r.partition(), r.offset(), why);
  }

  /** Kafka headers as Gateway headers: UTF-8 values as they are, others base64 under NAME-bin (as gRPC does). */
  static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      byte[] v = h.value() == null ? new byte[0] : h.value();
      String text = Utf8.decode(v);
      if (text != null) {
        headers.put(h.key(), text);
      } else {
        headers.put(h.key() + "-bin", Base64.getEncoder().encodeToString(v));
      }
    }
    return headers;
  }

  private void sleep(long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (pause) {
      try {
        for (long left = millis; !closed && left > 0;
            left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
          pause.wait(left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closed = true;
      }
    }
  }

  /** Stops reading; what was stored is committed, the rest is read again on the next start. */
  @Override
  public void close() {
    closed = true;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
      synchronized (pause) {
        pause.notifyAll();
      }
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
