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
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriptions of one {@link io.grpcmqtt.mqtt.MqttConnection}, whichever client library
 * carries it: which handler a message goes to (the first subscription, in the order made, whose
 * filter matches), when it is acknowledged, and what to renew after a reconnect.
 */
final class SubscriptionTable {
  private static final Logger log = LoggerFactory.getLogger(SubscriptionTable.class);

  record Subscription(String filter, int qos, MqttMessageHandler handler) {}

  private final Map<String, Subscription> byFilter = new ConcurrentHashMap<>();
  private final List<String> order = new CopyOnWriteArrayList<>();
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
    if (byFilter.putIfAbsent(filter, new Subscription(filter, qos, handler)) != null) {
      throw new IllegalArgumentException("already subscribed to '" + filter + "'");
    }
    order.add(filter);
  }

  /** Forgets a subscription; false when there was none. */
  boolean remove(String filter) {
    if (byFilter.remove(filter) == null) {
      return false;
    }
    order.remove(filter);
    return true;
  }

  /** The subscriptions, in the order made. */
  List<Subscription> all() {
    List<Subscription> all = new ArrayList<>(order.size());
    for (String filter : order) {
      Subscription s = byFilter.get(filter);
      if (s != null) {
        all.add(s);
      }
    }
    return all;
  }

  @Nullable
  private MqttMessageHandler handlerFor(String topic) {
    for (String filter : order) {
      if (MqttTopics.matches(filter, topic)) {
        Subscription s = byFilter.get(filter);
        if (s != null) {
          return s.handler();
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
