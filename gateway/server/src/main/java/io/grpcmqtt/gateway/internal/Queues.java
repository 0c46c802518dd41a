package io.grpcmqtt.gateway.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpcmqtt.gateway.GatewayLimits;
import io.grpcmqtt.gateway.store.MessageStore;
import io.grpcmqtt.gateway.store.StoredMessage;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue operations every entry point shares (the gRPC service, the device path, MQTT ingest):
 * the rules, the store, waking waiting consumers and mirroring to plain MQTT.
 */
public final class Queues {
  private static final Logger log = LoggerFactory.getLogger(Queues.class);

  private final MessageStore store;
  private final RequestRules rules;
  private final TopicSignals signals;
  private final StreamRegistry streams;
  private final long idempotencyWindowMillis;
  private volatile Mirror mirror = Mirror.NONE;
  private volatile OutboxRoute outboxRoute = OutboxRoute.NONE;
  private volatile QueueStatistics statistics;

  public Queues(MessageStore store, RequestRules rules, TopicSignals signals, StreamRegistry streams,
      long idempotencyWindowMillis) {
    this.store = store;
    this.idempotencyWindowMillis = idempotencyWindowMillis;
    this.rules = rules;
    this.signals = signals;
    this.streams = streams;
    store.onRemoteEvents(new MessageStore.RemoteEvents() {
      @Override
      public void visible(String topic) {
        signals.signal(topic);
      }

      @Override
      public void acked(String topic, long id) {
        streams.acked(topic, id);
      }
    });
  }

  public void mirrorTo(Mirror mirror) {
    this.mirror = mirror;
  }

  /** From now on, every message {@code route} gives a destination also gets an outbox entry (Kafka out). */
  public void relayThrough(OutboxRoute route) {
    this.outboxRoute = route;
  }

  /** Tells {@code statistics} of every claim (it counts redeliveries). */
  public void countIn(QueueStatistics statistics) {
    this.statistics = statistics;
  }

  public RequestRules rules() {
    return rules;
  }

  public TopicSignals signals() {
    return signals;
  }

  public StreamRegistry streams() {
    return streams;
  }

  /**
   * Stores a message; once this returns it is durable, consumers waiting on its topic are woken and
   * its mirror is on its way.
   *
   * @param arrivedOn the MQTT topic a plain publish came in on (ingest), or null; a message is not
   *     mirrored back onto the topic it arrived on, whose subscribers already have it
   * @param idempotencyKey null or empty for none; otherwise a Send with the same key on the same
   *     topic within the idempotency window stores nothing and gets the first one's id
   * @return the message's id
   */
  public long send(String topic, byte[] payload, Map<String, String> headers, @Nullable String arrivedOn,
      @Nullable String idempotencyKey) throws StatusException {
    rules.messages().checkSend(topic, payload, headers, idempotencyKey);
    Mirror m = mirror;
    String mirrorTopic = m.topicFor(topic);
    if (mirrorTopic != null && !mirrorTopic.equals(topic)) {
      // A mirror prefix must not turn a queue into a Gateway command topic.
      rules.messages().checkTopic(mirrorTopic);
    }
    long now = System.currentTimeMillis();
    OutboxRoute route = outboxRoute;
    String destination = route.destination(topic);
    MessageStore.Appended appended;
    try {
      appended = idempotencyKey == null || idempotencyKey.isEmpty()
          ? new MessageStore.Appended(store.append(topic, payload, headers, now, destination), true)
          : store.appendOnce(topic, payload, headers, now, destination, idempotencyKey,
              idempotencyWindowMillis);
    } catch (RuntimeException e) {
      throw unavailable("store", e);
    }
    if (!appended.appended()) {
      return appended.id(); // a retry: the first Send woke consumers and was mirrored
    }
    signals.signal(topic);
    if (destination != null) {
      route.appended();
    }
    if (mirrorTopic != null && !mirrorTopic.equals(arrivedOn)) {
      m.publish(new StoredMessage(appended.id(), topic, payload, headers, now, 0));
    }
    return appended.id();
  }

  /** Leases up to {@code max} visible messages of {@code topic} to {@code lease}. */
  public List<StoredMessage> claim(String topic, int max, long lease, int visibilityTimeoutMs)
      throws StatusException {
    long now = System.currentTimeMillis();
    List<StoredMessage> claimed;
    try {
      claimed = store.claim(topic, max, GatewayLimits.MAX_RESPONSE_BYTES, lease, now + visibilityTimeoutMs, now);
    } catch (RuntimeException e) {
      throw unavailable("claim", e);
    }
    QueueStatistics s = statistics;
    if (s != null) {
      s.claimed(topic, claimed);
    }
    return claimed;
  }

  /** Deletes a delivered message; NOT_FOUND when there is none with that id on that topic. */
  public void ack(String topic, String msgId) throws StatusException {
    long id = rules.parseMsgId(topic, msgId);
    boolean deleted;
    try {
      deleted = id > 0 && store.ack(topic, id);
    } catch (RuntimeException e) {
      throw unavailable("ack", e);
    }
    if (!deleted) {
      throw Status.NOT_FOUND
          .withDescription("no unacknowledged message " + MqttText.quote(msgId) + " on topic " + MqttText.quote(topic)
              + ": it was never delivered, was already acknowledged, or belongs to another topic")
          .asException();
    }
    streams.acked(topic, id);
  }

  /** Makes messages leased to {@code lease} visible again now; failures are logged, not thrown. */
  public void release(String topic, long lease, Collection<Long> ids) {
    if (ids.isEmpty()) {
      return;
    }
    try {
      store.release(topic, lease, ids, System.currentTimeMillis());
      signals.signal(topic);
    } catch (RuntimeException e) {
      log.warn("Could not requeue {} message(s) of '{}' ({}); they become visible when their"
          + " visibility timeout ends", ids.size(), topic, e.getMessage());
    }
  }

  /** Those of {@code ids} still leased to {@code lease}. */
  public Set<Long> stillLeased(String topic, long lease, Collection<Long> ids) throws StatusException {
    try {
      return store.stillLeased(topic, lease, ids, System.currentTimeMillis());
    } catch (RuntimeException e) {
      throw unavailable("lease check", e);
    }
  }

  private static StatusException unavailable(String what, RuntimeException e) {
    log.warn("Message store {} failed: {}", what, e.getMessage());
    return Status.UNAVAILABLE.withDescription("message store unavailable: " + e.getMessage())
        .withCause(e).asException();
  }
}
