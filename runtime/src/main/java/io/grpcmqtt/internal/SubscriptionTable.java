package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessageHandler;
import io.grpcmqtt.mqtt.MqttTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriptions of one {@link io.grpcmqtt.mqtt.MqttConnection}, whichever client library
 * carries it: which handler a message goes to, when it is acknowledged, and what to renew after a
 * reconnect.
 *
 * <p>Each subscription has its own handler, so this match is the only one a message needs: the
 * transports subscribe every kind of message they hear (replies, inbox, cancels, statuses, the
 * requests of one filter) with the code for that kind. Where filters overlap, the first
 * subscription in the order made whose filter matches takes the message ({@code $share/{group}/}
 * is not part of the match); an ended one only takes what no current one does.
 */
final class SubscriptionTable {
  private static final Logger log = LoggerFactory.getLogger(SubscriptionTable.class);

  /**
   * How long an ended subscription still takes messages on its filter: those the broker routed
   * before it took the UNSUBSCRIBE, which a client library may hand over after the UNSUBACK (a
   * stopping server serves every request that reached it).
   */
  private static final long LEAVING_NANOS = TimeUnit.SECONDS.toNanos(30);

  record Subscription(String filter, int qos, MqttMessageHandler handler) {}

  private record Leaving(Subscription subscription, long sinceNanos) {}

  private final Map<String, Subscription> byFilter = new ConcurrentHashMap<>();
  private final Map<String, Leaving> leaving = new ConcurrentHashMap<>();
  /** The subscriptions in the order made: what {@link #deliver} walks, without a map lookup. */
  private final List<Subscription> order = new CopyOnWriteArrayList<>();
  private final boolean manualAcknowledgement;

  SubscriptionTable(boolean manualAcknowledgement) {
    this.manualAcknowledgement = manualAcknowledgement;
  }

  /**
   * Records a subscription about to be made.
   *
   * @throws IllegalArgumentException for a filter MQTT forbids, a QoS other than 0-2, or a filter
   *     already subscribed
   */
  void add(String filter, int qos, MqttMessageHandler handler) {
    MqttTopics.checkFilter("topic filter", filter);
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2, was " + qos);
    }
    Objects.requireNonNull(handler, "handler");
    Subscription added = new Subscription(filter, qos, handler);
    if (byFilter.putIfAbsent(filter, added) != null) {
      throw new IllegalArgumentException("already subscribed to '" + filter + "'");
    }
    leaving.remove(filter);
    order.add(added);
  }

  /**
   * Ends a subscription: not renewed after a reconnect; messages on its filter still reach its
   * handler for a while (see {@link #LEAVING_NANOS}). False when there was none.
   */
  boolean remove(String filter) {
    Subscription ending = byFilter.get(filter);
    if (ending == null) {
      return false;
    }
    long now = System.nanoTime();
    leaving.values().removeIf(l -> now - l.sinceNanos() > LEAVING_NANOS);
    // Leaving before it is gone: a message being delivered meanwhile finds it in one or the
    // other, never in neither (it would be acknowledged and dropped).
    leaving.put(filter, new Leaving(ending, now));
    byFilter.remove(filter);
    order.remove(ending);
    return true;
  }

  /** The subscriptions, in the order made. */
  List<Subscription> all() {
    return new ArrayList<>(order);
  }

  @Nullable
  private MqttMessageHandler handlerFor(String topic) {
    for (Subscription s : order) {
      if (MqttTopics.matches(s.filter(), topic)) {
        return s.handler();
      }
    }
    if (!leaving.isEmpty()) {
      long now = System.nanoTime();
      for (Leaving l : leaving.values()) {
        if (now - l.sinceNanos() <= LEAVING_NANOS
            && MqttTopics.matches(l.subscription().filter(), topic)) {
          return l.subscription().handler();
        }
      }
    }
    return null;
  }

  /**
   * Hands a message to its handler. It is acknowledged when its handler returns (automatic
   * acknowledgement), when no subscription wants it, or when its handler throws: one bad message
   * never stops delivery.
   */
  void deliver(MqttDelivery delivery) {
    String topic = delivery.message().topic();
    MqttMessageHandler handler = handlerFor(topic);
    if (handler == null) {
      delivery.acknowledge();
      return;
    }
    try {
      handler.onMessage(delivery);
    } catch (RuntimeException e) {
      log.error("The handler of a message on '{}' failed; the message is acknowledged", topic, e);
      delivery.acknowledge();
      return;
    }
    if (!manualAcknowledgement) {
      delivery.acknowledge();
    }
  }
}
