package io.grpcmqtt.gateway.internal;

import io.grpcmqtt.gateway.store.MessageStore;
import io.grpcmqtt.gateway.store.QueueStats;
import io.grpcmqtt.gateway.store.StoredMessage;
import io.grpcmqtt.gateway.v1.TopicStats;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators see of the queues: depth, leased (in flight), oldest message age and
 * redeliveries per topic, as OpenTelemetry instruments and as the admin Stats answer. Depth,
 * leased and age come from the store when asked (so they cover every instance sharing it);
 * redeliveries are counted here, as this instance hands messages out.
 */
public final class QueueStatistics implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueueStatistics.class);
  /** Topics a metrics collection reports at most (the largest queues): bounds the series. */
  public static final int METRICS_TOPIC_LIMIT = 1_000;
  static final AttributeKey<String> TOPIC = AttributeKey.stringKey("topic");

  private final MessageStore store;
  private final ConcurrentHashMap<String, LongAdder> redeliveries = new ConcurrentHashMap<>();
  private final LongCounter redeliveryCounter;
  private final BatchCallback gauges;

  /** A topic's figures and which topics a limit left out. */
  public record Snapshot(List<TopicStats> topics, int omitted, long timeMillis) {}

  public QueueStatistics(MessageStore store, Meter meter) {
    this.store = store;
    this.redeliveryCounter = meter.counterBuilder("robustmq.gateway.queue.redeliveries")
        .setDescription("Deliveries of a message after its first (its lease ended or its stream ended unacknowledged)")
        .setUnit("{delivery}")
        .build();
    ObservableLongMeasurement depth = meter.gaugeBuilder("robustmq.gateway.queue.depth").ofLongs()
        .setDescription("Messages in the queue, visible or leased")
        .setUnit("{message}")
        .buildObserver();
    ObservableLongMeasurement leased = meter.gaugeBuilder("robustmq.gateway.queue.leased").ofLongs()
        .setDescription("Messages handed to a consumer whose visibility timeout has not passed (in flight)")
        .setUnit("{message}")
        .buildObserver();
    ObservableDoubleMeasurement age = meter.gaugeBuilder("robustmq.gateway.queue.oldest_age")
        .setDescription("Age of the oldest message in the queue")
        .setUnit("s")
        .buildObserver();
    gauges = meter.batchCallback(() -> {
      Snapshot s;
      try {
        s = snapshot("", METRICS_TOPIC_LIMIT);
      } catch (RuntimeException e) {
        log.warn("Queue metrics not collected: the store failed ({})", e.getMessage());
        return;
      }
      for (TopicStats t : s.topics()) {
        Attributes a = Attributes.of(TOPIC, t.getTopic());
        depth.record(t.getDepth(), a);
        leased.record(t.getLeased(), a);
        age.record(t.getOldestAgeMs() / 1000.0, a);
      }
    }, depth, leased, age);
  }

  /** Stops reporting the gauges (the store is about to close; the OpenTelemetry may live on). */
  @Override
  public void close() {
    gauges.close();
  }

  /** Counts the redeliveries among messages just claimed from {@code topic}. */
  public void claimed(String topic, List<StoredMessage> messages) {
    long again = 0;
    for (StoredMessage m : messages) {
      if (m.deliveryCount() > 1) {
        again++;
      }
    }
    if (again > 0) {
      redeliveries.computeIfAbsent(topic, t -> new LongAdder()).add(again);
      redeliveryCounter.add(again, Attributes.of(TOPIC, topic));
    }
  }

  /**
   * Queues whose topic starts with {@code prefix}: the non-empty ones and those this instance
   * redelivered from, largest depth first, at most {@code limit}.
   *
   * @throws RuntimeException when the store fails
   */
  public Snapshot snapshot(String prefix, int limit) {
    long now = System.currentTimeMillis();
    List<TopicStats> all = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (QueueStats q : store.stats(prefix, now)) {
      seen.add(q.topic());
      all.add(TopicStats.newBuilder()
          .setTopic(q.topic())
          .setDepth(q.depth())
          .setLeased(q.leased())
          .setOldestAgeMs(Math.max(0, now - q.oldestCreatedMillis()))
          .setRedeliveries(redeliveries(q.topic()))
          .build());
    }
    for (Map.Entry<String, LongAdder> r : redeliveries.entrySet()) {
      if (r.getKey().startsWith(prefix) && !seen.contains(r.getKey())) {
        all.add(TopicStats.newBuilder().setTopic(r.getKey()).setRedeliveries(r.getValue().sum()).build());
      }
    }
    all.sort(Comparator.comparingLong(TopicStats::getDepth).reversed().thenComparing(TopicStats::getTopic));
    int omitted = Math.max(0, all.size() - limit);
    return new Snapshot(all.subList(0, Math.min(limit, all.size())), omitted, now);
  }

  private long redeliveries(String topic) {
    LongAdder n = redeliveries.get(topic);
    return n == null ? 0 : n.sum();
  }
}
