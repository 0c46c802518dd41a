package io.grpcmqtt.mqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.MosquittoBroker;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The public MQTT connection on both real brokers. */
class MqttConnectionTest {
  private static final AtomicInteger N = new AtomicInteger();

  private static String unique(String name) {
    return "mqtt-test/" + ProcessHandle.current().pid() + "-" + N.incrementAndGet() + "/" + name;
  }

  private static MqttConnection connect(TestBroker broker) throws Exception {
    return MqttConnection.connect(MqttConnectionConfig.builder(broker.uri()).build());
  }

  /** More QoS 1 publishes at once than any broker's receive maximum, with every property. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void publishesBeyondTheReceiveMaximumInOrderWithTheirProperties(TestBroker broker) throws Exception {
    String base = unique("window");
    BlockingQueue<MqttMessage> got = new LinkedBlockingQueue<>();
    try (MqttConnection sub = connect(broker); MqttConnection pub = connect(broker)) {
      sub.subscribe(base + "/#", 1, d -> got.add(d.message()));
      List<CompletableFuture<MqttPublishResult>> results = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        results.add(pub.publish(MqttMessage.builder(base + "/" + i)
            .payload(("m" + i).getBytes(StandardCharsets.UTF_8))
            .responseTopic(base + "/reply")
            .correlationData(new byte[] {1, 2, (byte) i})
            .contentType("text/plain")
            .messageExpirySeconds(60L)
            .userProperty("k", "v1")
            .userProperty("k", "v2")
            .build()));
      }
      for (CompletableFuture<MqttPublishResult> r : results) {
        assertTrue(r.get(30, TimeUnit.SECONDS).accepted());
      }
      for (int i = 0; i < 300; i++) {
        MqttMessage m = got.poll(10, TimeUnit.SECONDS);
        assertEquals(base + "/" + i, m.topic());
        assertEquals("m" + i, new String(m.payload(), StandardCharsets.UTF_8));
        assertEquals(base + "/reply", m.responseTopic());
        assertArrayEquals(new byte[] {1, 2, (byte) i}, m.correlationData());
        assertEquals("text/plain", m.contentType());
        assertTrue(m.messageExpirySeconds() != null && m.messageExpirySeconds() <= 60);
        assertEquals(List.of(new MqttUserProperty("k", "v1"), new MqttUserProperty("k", "v2")), m.userProperties());
        assertEquals("v2", m.userProperty("k"));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void aPublishNobodySubscribesToSaysSo(TestBroker broker) throws Exception {
    try (MqttConnection pub = connect(broker)) {
      MqttPublishResult r = pub.publish(MqttMessage.builder(unique("nobody")).build()).get(10, TimeUnit.SECONDS);
      assertTrue(r.accepted());
      assertTrue(r.noMatchingSubscribers(), "reason 0x" + Integer.toHexString(r.reasonCode()));
    }
  }

  /**
   * With manual acknowledgement the broker sends no more than the receive maximum before the first
   * acknowledgement, and acknowledging lets the rest in, in order. (How many each acknowledgement
   * lets in differs between brokers: Mosquitto 2.0.11 refills more than it freed.)
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void manualAcknowledgementBoundsWhatTheBrokerSends(TestBroker broker) throws Exception {
    // Mosquitto 2.0.11 sends past the receive maximum as acks come in; the HiveMQ client holds
    // the broker to it and disconnects (Paho lets it pass). docs/mqtt-connection.md says so.
    org.junit.jupiter.api.Assumptions.assumeFalse(
        MqttClientLibrary.fromSystemProperty() == MqttClientLibrary.HIVEMQ
            && broker == io.grpcmqtt.testing.Brokers.mosquitto(),
        "Mosquitto 2.0.11 exceeds the receive maximum, which the HiveMQ client refuses");
    String topic = unique("bounded");
    List<MqttDelivery> held = new java.util.concurrent.CopyOnWriteArrayList<>();
    MqttConnectionConfig config = MqttConnectionConfig.builder(broker.uri()).manualAcknowledgement(5).build();
    try (MqttConnection sub = MqttConnection.connect(config); MqttConnection pub = connect(broker)) {
      sub.subscribe(topic, 1, held::add);
      List<CompletableFuture<MqttPublishResult>> sent = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        sent.add(pub.publish(MqttMessage.builder(topic).payload(new byte[] {(byte) i}).build()));
      }
      for (CompletableFuture<MqttPublishResult> f : sent) {
        f.get(10, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> !held.isEmpty());
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> held.size() <= 5);
      held.get(0).acknowledge();
      held.get(0).acknowledge(); // a second call does nothing
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        held.forEach(MqttDelivery::acknowledge);
        return held.size() >= 20;
      });
      List<Integer> order = held.stream().map(d -> (int) d.message().payload()[0]).toList();
      assertEquals(java.util.stream.IntStream.range(0, 20).boxed().toList(), order);
    }
  }

  @Test
  void whatMqttForbidsIsRefusedBeforeItReachesTheBroker() throws Exception {
    TestBroker broker = Brokers.hivemq();
    for (String bad : List.of("", "a/+", "a/#", "bad\u0001topic", "bad\ud800")) {
      assertThrows(IllegalArgumentException.class, () -> MqttMessage.builder(bad).build(), bad);
    }
    assertThrows(IllegalArgumentException.class,
        () -> MqttMessage.builder("ok").userProperty("k", "line\nbreak").build());
    assertThrows(IllegalArgumentException.class,
        () -> MqttMessage.builder("ok").responseTopic("reply/#").build());
    assertThrows(IllegalArgumentException.class,
        () -> MqttMessage.builder("ok").contentType("text\u0000").build());
    assertThrows(IllegalArgumentException.class, () -> MqttMessage.builder("ok").qos(3));
    assertThrows(IllegalArgumentException.class, () -> MqttMessage.builder("ok").messageExpirySeconds(-1L));
    String topic = unique("still-works");
    BlockingQueue<MqttMessage> got = new LinkedBlockingQueue<>();
    try (MqttConnection c = connect(broker)) {
      for (String bad : List.of("a/#/b", "a/b#", "$share/g", "$share//x", "$share/g+/x", "")) {
        assertThrows(IllegalArgumentException.class, () -> c.subscribe(bad, 1, d -> {}), bad);
      }
      c.subscribe(topic, 1, d -> got.add(d.message()));
      c.publish(MqttMessage.builder(topic).payload(new byte[] {7}).build()).get(10, TimeUnit.SECONDS);
      assertArrayEquals(new byte[] {7}, got.poll(10, TimeUnit.SECONDS).payload());
    }
  }

  @Test
  void topicMatching() {
    assertTrue(MqttTopics.matches("a/#", "a"));
    assertTrue(MqttTopics.matches("a/#", "a/b/c"));
    assertTrue(MqttTopics.matches("a/+/c", "a/b/c"));
    assertTrue(MqttTopics.matches("$share/g/a/+", "a/b"));
    assertTrue(!MqttTopics.matches("a/+", "a"));
    assertTrue(!MqttTopics.matches("a/+", "a/b/c"));
    assertTrue(!MqttTopics.matches("#", "$SYS/x"));
    assertTrue(MqttTopics.matches("a//b", "a//b"));
  }

  /**
   * A broker restart: the connection comes back, subscriptions renewed, waiting publishes sent, and
   * the reconnect action runs once per reconnect.
   */
  @Test
  void reconnectsAndResubscribesAfterABrokerRestart() throws Exception {
    try (MosquittoBroker broker = Brokers.newMosquitto()) {
      String topic = unique("restart");
      BlockingQueue<MqttMessage> got = new LinkedBlockingQueue<>();
      AtomicInteger reconnects = new AtomicInteger();
      MqttConnectionConfig subConfig = MqttConnectionConfig.builder(broker.uri())
          .onReconnect(reconnects::incrementAndGet).build();
      try (MqttConnection sub = MqttConnection.connect(subConfig); MqttConnection pub = connect(broker)) {
        sub.subscribe(topic, 1, d -> got.add(d.message()));
        broker.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> !sub.isConnected() && !pub.isConnected());
        CompletableFuture<MqttPublishResult> queued =
            pub.publish(MqttMessage.builder(topic).payload(new byte[] {1}).build());
        broker.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> sub.isConnected() && pub.isConnected());
        // The publish that waited may reach the broker before the subscription is renewed: send
        // until one arrives, as any client of a restarted broker would.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
          pub.publish(MqttMessage.builder(topic).payload(new byte[] {2}).build());
          return !got.isEmpty();
        });
        assertTrue(queued.get(10, TimeUnit.SECONDS).accepted());
        assertEquals(1, reconnects.get());
      }
    }
  }

  /**
   * The will (here retained, with a property) is published when the connection is lost (taken
   * over by another with its client id), not when it is closed.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void theWillIsPublishedWhenTheConnectionIsLost(TestBroker broker) throws Exception {
    String topic = unique("will");
    BlockingQueue<MqttMessage> got = new LinkedBlockingQueue<>();
    MqttMessage will = MqttMessage.builder(topic).payload(new byte[] {9}).retain(true).userProperty("why", "lost").build();
    MqttConnectionConfig.Builder withWill = MqttConnectionConfig.builder(broker.uri()).automaticReconnect(false).will(will);
    try (MqttConnection watcher = connect(broker)) {
      watcher.subscribe(topic, 1, d -> got.add(d.message()));
      // Closed: no will (this one would arrive first, with payload 8).
      MqttConnection.connect(withWill.will(will.toBuilder().payload(new byte[] {8}).build()).build()).close();
      withWill.will(will);
      MqttConnectionConfig doomedConfig = withWill.build();
      MqttConnection doomed = MqttConnection.connect(doomedConfig);
      // Another connection with its client id takes its session over: the broker closes the
      // doomed one's network connection without a DISCONNECT from it, and so publishes its will.
      try (MqttConnection usurper = MqttConnection.connect(
          MqttConnectionConfig.builder(broker.uri()).clientId(doomedConfig.clientId()).build())) {
        MqttMessage published = got.poll(20, TimeUnit.SECONDS);
        assertArrayEquals(new byte[] {9}, published.payload(), "the will of the lost connection only");
        assertEquals("lost", published.userProperty("why"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !doomed.isConnected());
        assertTrue(usurper.isConnected());
      } finally {
        doomed.close();
      }
    }
    // Retained: a later subscriber gets it too; an empty retained message clears it.
    try (MqttConnection later = connect(broker)) {
      later.subscribe(topic, 1, d -> got.add(d.message()));
      assertArrayEquals(new byte[] {9}, got.poll(10, TimeUnit.SECONDS).payload());
      later.publish(MqttMessage.builder(topic).retain(true).build()).get(10, TimeUnit.SECONDS);
    }
  }

  /** The broker's Maximum Packet Size as its CONNACK says it; 0 when it says none. */
  @Test
  void maximumPacketSizeIsTheBrokers() throws Exception {
    try (MqttConnection c = connect(Brokers.hivemq())) {
      assertEquals(0, c.maximumPacketSize(), "the shared HiveMQ sets no limit");
    }
    try (var limited = Brokers.newHivemq(b -> b.maxPacketSize(65_536));
        MqttConnection c = connect(limited)) {
      assertEquals(65_536, c.maximumPacketSize());
    }
  }
}
