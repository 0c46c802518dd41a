package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttTopics;
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

  static Stream<Arguments> exactAndWildcard() {
    return Stream.of(
        // filters in the order subscribed | topic | the filter that takes it
        Arguments.of(List.of("r/c1", "s/+"), "r/c1", "r/c1"),
        Arguments.of(List.of("s/+", "r/c1"), "r/c1", "r/c1"),
        Arguments.of(List.of("r/+", "r/c1"), "r/c1", "r/+"),
        Arguments.of(List.of("r/c1", "r/+"), "r/c1", "r/c1"),
        Arguments.of(List.of("#", "r/c1"), "r/c1", "#"),
        Arguments.of(List.of("r/c1", "#"), "r/c1", "r/c1"),
        Arguments.of(List.of("r/c1", "#"), "r/c2", "#"),
        Arguments.of(List.of("r/c1/#", "r/c1"), "r/c1", "r/c1/#"),
        Arguments.of(List.of("$share/g/r/+", "r/c1"), "r/c1", "$share/g/r/+"),
        Arguments.of(List.of("r/+", "$share/g/r/c1"), "r/c1", "r/+"),
        Arguments.of(List.of("$share/g/r/c1", "r/+"), "r/c1", "$share/g/r/c1"),
        Arguments.of(List.of("$share/g/r/c1", "r/c1"), "r/c1", "$share/g/r/c1"),
        Arguments.of(List.of("r/c1", "$share/g/r/c1"), "r/c1", "r/c1"),
        // '$share/g' is not a topic level: the shared filter is 'r/c1', not '$share/g/r/c1'.
        Arguments.of(List.of("$share/g/r/c1"), "$share/g/r/c1", "none"),
        Arguments.of(List.of("+/c1", "$SYS/c1"), "$SYS/c1", "$SYS/c1"),
        Arguments.of(List.of("#"), "$SYS/c1", "none"),
        Arguments.of(List.of("r/c1"), "r/c1/", "none"),
        Arguments.of(List.of("r/c1/"), "r/c1", "none"),
        Arguments.of(List.of("r//c1", "r/+/c1"), "r//c1", "r//c1"),
        Arguments.of(List.of("r/+/c1", "r//c1"), "r//c1", "r/+/c1"));
  }

  /**
   * A filter without wildcards is found by its topic at once, yet it does not take a message
   * from a wildcard filter subscribed before it that matches too; nor does the shared
   * subscription's prefix count as levels.
   */
  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @MethodSource("exactAndWildcard")
  void anExactFilterTakesOnlyWhatNoEarlierWildcardDoes(
      List<String> filters, String topic, String expected) {
    SubscriptionTable table = new SubscriptionTable(false);
    for (String filter : filters) {
      table.add(filter, 1, d -> got.add(filter));
    }
    table.deliver(delivery(topic));
    assertEquals(expected.equals("none") ? List.of() : List.of(expected), got);
    assertEquals(1, acks.get());
  }

  /**
   * In every order these filters can be subscribed in, each topic goes where walking the filters
   * in that order with {@link MqttTopics#matches} sends it (what the table did before it looked
   * exact filters up).
   */
  @Test
  void takesWhatTheFirstMatchingFilterInTheOrderMadeWouldTake() {
    List<String> filters = List.of("a/b", "$share/g/a/b", "a/+", "+/b", "a/#", "$share/h/c");
    List<String> topics = List.of("a/b", "a/c", "c", "x/b", "a", "a/b/c", "$share/g/a/b", "b");
    for (List<String> order : permutations(filters)) {
      SubscriptionTable table = new SubscriptionTable(false);
      for (String filter : order) {
        table.add(filter, 1, d -> got.add(filter));
      }
      for (String topic : topics) {
        got.clear();
        table.deliver(delivery(topic));
        List<String> walked = order.stream().filter(f -> MqttTopics.matches(f, topic))
            .limit(1).toList();
        assertEquals(walked, got, order + ", " + topic);
      }
    }
  }

  private static List<List<String>> permutations(List<String> items) {
    if (items.isEmpty()) {
      return List.of(List.of());
    }
    List<List<String>> all = new ArrayList<>();
    for (String first : items) {
      List<String> rest = new ArrayList<>(items);
      rest.remove(first);
      for (List<String> tail : permutations(rest)) {
        List<String> one = new ArrayList<>();
        one.add(first);
        one.addAll(tail);
        all.add(one);
      }
    }
    return all;
  }

  /** Ending the first of two filters that match the same topic hands it to the other. */
  @Test
  void anEndedExactFilterLeavesItsTopicToTheNextOneMade() {
    SubscriptionTable table = new SubscriptionTable(false);
    table.add("r/c1", 1, d -> got.add("first"));
    table.add("$share/g/r/c1", 1, d -> got.add("second"));
    table.deliver(delivery("r/c1"));
    table.remove("r/c1");
    table.deliver(delivery("r/c1"));
    assertEquals(List.of("first", "second"), got, "the current one, not the ended one");
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
