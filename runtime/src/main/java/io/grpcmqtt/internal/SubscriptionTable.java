package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessageHandler;
import io.grpcmqtt.mqtt.MqttTopics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;
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
 *
 * <p>Most messages arrive on a filter without wildcards (a channel's reply topic, a server's inbox
 * and cancel topic, a default request topic): those are found with one map lookup of the topic,
 * and only the wildcard filters made before that one are matched against it, level by level,
 * since one of them would take the message first.
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

  /** A current subscription and its place in the order made (0: the first). */
  private record Ranked(Subscription subscription, int rank) {}

  /**
   * What {@link #deliver} reads, made anew whenever a subscription is made or ended (rarely; a
   * message never waits for it): the filters without wildcards by what they match (the filter
   * without its {@code $share/{group}/}; the first made when two match the same), and the
   * others in the order made.
   */
  private record Lookup(Map<String, Ranked> exact, Ranked[] wildcards) {
    static final Lookup EMPTY = new Lookup(Map.of(), new Ranked[0]);

    static Lookup of(List<Subscription> order) {
      Map<String, Ranked> exact = new HashMap<>();
      List<Ranked> wildcards = new ArrayList<>();
      for (int i = 0; i < order.size(); i++) {
        Subscription s = order.get(i);
        String matched = matchedPart(s.filter());
        if (matched.indexOf('+') < 0 && matched.indexOf('#') < 0) {
          exact.putIfAbsent(matched, new Ranked(s, i));
        } else {
          wildcards.add(new Ranked(s, i));
        }
      }
      return new Lookup(exact, wildcards.toArray(new Ranked[0]));
    }

    /** The handler of the first subscription made whose filter matches {@code topic}. */
    @Nullable
    MqttMessageHandler handlerFor(String topic) {
      Ranked same = exact.get(topic);
      int before = same == null ? Integer.MAX_VALUE : same.rank();
      for (Ranked w : wildcards) {
        if (w.rank() > before) {
          break;
        }
        if (MqttTopics.matches(w.subscription().filter(), topic)) {
          return w.subscription().handler();
        }
      }
      return same == null ? null : same.subscription().handler();
    }
  }

  @GuardedBy("this")
  private final Map<String, Subscription> byFilter = new HashMap<>();
  /** The subscriptions in the order made. */
  @GuardedBy("this")
  private final List<Subscription> order = new ArrayList<>();
  /** {@link #order} as {@link #deliver} reads it, without the lock. */
  private volatile Lookup lookup = Lookup.EMPTY;
  private final Map<String, Leaving> leaving = new ConcurrentHashMap<>();
  private final boolean manualAcknowledgement;

  SubscriptionTable(boolean manualAcknowledgement) {
    this.manualAcknowledgement = manualAcknowledgement;
  }

  /** The part of {@code filter} a topic is matched with: without {@code $share/{group}/}. */
  private static String matchedPart(String filter) {
    if (!filter.startsWith("$share/")) {
      return filter;
    }
    int slash = filter.indexOf('/', "$share/".length());
    return slash < 0 ? "" : filter.substring(slash + 1);
  }

  /**
   * Records a subscription about to be made.
   *
   * @throws IllegalArgumentException for a filter MQTT forbids, a QoS other than 0-2, or a filter
   *     already subscribed
   */
  synchronized void add(String filter, int qos, MqttMessageHandler handler) {
    MqttTopics.checkFilter("topic filter", filter);
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2, was " + qos);
    }
    Objects.requireNonNull(handler, "handler");
    Subscription added = new Subscription(filter, qos, handler);
    if (byFilter.putIfAbsent(filter, added) != null) {
      throw new IllegalArgumentException("already subscribed to '" + filter + "'");
    }
    order.add(added);
    lookup = Lookup.of(order);
    leaving.remove(filter);
  }

  /**
   * Ends a subscription: not renewed after a reconnect; messages on its filter still reach its
   * handler for a while (see {@link #LEAVING_NANOS}). False when there was none.
   */
  synchronized boolean remove(String filter) {
    Subscription ending = byFilter.remove(filter);
    if (ending == null) {
      return false;
    }
    long now = System.nanoTime();
    leaving.values().removeIf(l -> now - l.sinceNanos() > LEAVING_NANOS);
    // Leaving before it is gone: a message being delivered meanwhile finds it in one or the
    // other, never in neither (it would be acknowledged and dropped).
    leaving.put(filter, new Leaving(ending, now));
    order.remove(ending);
    lookup = Lookup.of(order);
    return true;
  }

  /** The subscriptions, in the order made. */
  synchronized List<Subscription> all() {
    return new ArrayList<>(order);
  }

  @Nullable
  private MqttMessageHandler handlerFor(String topic) {
    MqttMessageHandler current = lookup.handlerFor(topic);
    if (current != null) {
      return current;
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
