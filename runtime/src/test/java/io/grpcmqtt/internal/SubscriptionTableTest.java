package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SubscriptionTableTest {
  private final List<String> got = new ArrayList<>();
  private final AtomicInteger acks = new AtomicInteger();

  private MqttDelivery delivery(String topic) {
    MqttMessage m = MqttMessage.builder(topic).build();
    return new MqttDelivery() {
      @Override
      public MqttMessage message() {
        return m;
      }

      @Override
      public void acknowledge() {
        acks.incrementAndGet();
      }
    };
  }

  @Test
  void theFirstMatchingSubscriptionTakesTheMessage() {
    SubscriptionTable table = new SubscriptionTable(false);
    table.add("$share/g/a/+", 1, d -> got.add("shared " + d.message().topic()));
    table.add("a/#", 1, d -> got.add("all " + d.message().topic()));
    table.deliver(delivery("a/b"));
    table.deliver(delivery("a/b/c"));
    table.deliver(delivery("x"));
    assertEquals(List.of("shared a/b", "all a/b/c"), got);
    assertEquals(3, acks.get(), "automatic acknowledgement, and unwanted messages are acknowledged");
    assertThrows(IllegalArgumentException.class, () -> table.add("a/#", 1, d -> {}));
  }

  /**
   * What the broker routed before it took the UNSUBSCRIBE may arrive after it: a stopping server
   * must still serve it, so an ended subscription's handler keeps it (and it is not renewed).
   */
  @Test
  void anEndedSubscriptionStillTakesWhatArrivesForIt() {
    SubscriptionTable table = new SubscriptionTable(true);
    table.add("req/+", 1, d -> got.add(d.message().topic()));
    assertEquals(true, table.remove("req/+"));
    assertEquals(false, table.remove("req/+"));
    table.deliver(delivery("req/1"));
    assertEquals(List.of("req/1"), got);
    assertEquals(0, acks.get(), "manual acknowledgement: the handler's to give");
    assertEquals(List.of(), table.all(), "not made again after a reconnect");
    table.add("req/+", 1, d -> got.add("again " + d.message().topic()));
    table.deliver(delivery("req/2"));
    assertEquals(List.of("req/1", "again req/2"), got);
  }
}
