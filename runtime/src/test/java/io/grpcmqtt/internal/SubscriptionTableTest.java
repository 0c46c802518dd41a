package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SubscriptionTableTest {
  private final List<String> got = new ArrayList<>();
  private final AtomicInteger acks = new AtomicInteger();

  private MqttDelivery delivery(String topic) {
    return delivery(topic, acks::incrementAndGet);
  }

  /** A received message on {@code topic}; {@code acknowledged} runs on each acknowledgement. */
  static MqttDelivery delivery(String topic, Runnable acknowledged) {
    MqttMessage m = MqttMessage.builder(topic).build();
    return new MqttDelivery() {
      @Override
      public MqttMessage message() {
        return m;
      }

      @Override
      public void acknowledge() {
        acknowledged.run();
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

  static Stream<Arguments> overlaps() {
    return Stream.of(
        Arguments.of("a/b", "shared a/+"),
        Arguments.of("a/b/c", "a/#"),
        Arguments.of("a", "a/#"),
        Arguments.of("x/b", "+/b"),
        Arguments.of("$SYS/b", "none"),
        Arguments.of("g/a/b", "shared +/a/b"));
  }

  /**
   * Filters that overlap: the one subscribed first takes the message ({@code $share/{group}/}
   * is not matched); wildcards do not take topics starting with '$'.
   */
  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("overlaps")
  void theFirstSubscribedOfOverlappingFiltersTakesIt(String topic, String expected) {
    SubscriptionTable table = new SubscriptionTable(false);
    for (String filter : List.of("$share/g/a/+", "a/#", "a/b", "+/b", "$share/h/+/a/b", "+/a/b")) {
      String name = filter.startsWith("$share/g/") ? "shared a/+"
          : filter.startsWith("$share/h/") ? "shared +/a/b" : filter;
      table.add(filter, 1, d -> got.add(name));
    }
    table.deliver(delivery(topic));
    assertEquals(expected.equals("none") ? List.of() : List.of(expected), got);
    assertEquals(1, acks.get());
  }

  @Test
  void anEndedSubscriptionOnlyTakesWhatNoCurrentOneDoes() {
    SubscriptionTable table = new SubscriptionTable(false);
    table.add("req/#", 1, d -> got.add("ended " + d.message().topic()));
    table.add("req/+", 1, d -> got.add("current " + d.message().topic()));
    table.remove("req/#");
    table.deliver(delivery("req/1"));
    table.deliver(delivery("req/1/2"));
    assertEquals(List.of("current req/1", "ended req/1/2"), got);
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
