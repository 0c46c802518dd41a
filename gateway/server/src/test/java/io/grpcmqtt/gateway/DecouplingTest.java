package io.grpcmqtt.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import io.grpcmqtt.gateway.store.MessageStore;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Upstream and downstream change independently: plain subscribers ({@code mosquitto_sub}) see what
 * is sent with Send; plain publishers ({@code mosquitto_pub}) on an ingest filter feed the queue.
 * No loops, no duplicates — also between two Gateway instances. On HiveMQ and Mosquitto.
 */
class DecouplingTest {

  private static String send(TestGateway gw, String topic, String payload) {
    return gw.blocking().send(SendRequest.newBuilder().setTopic(topic).setPayload(ByteString.copyFromUtf8(payload))
        .putHeaders("unit", "C").build()).getMsgId();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void mosquittoSubSeesEverySendOnce(TestBroker broker) throws Exception {
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(broker, location)) {
      String topic = gw.topic("sensors/room1");
      try (MosquittoSub sub = new MosquittoSub(broker, topic)) {
        String id1 = send(gw, topic, "21.5");
        String id2 = send(gw, topic, "22.0");
        assertEquals(topic + " 21.5 unit:C robustmq-msg-id:" + id1, sub.next());
        assertEquals(topic + " 22.0 unit:C robustmq-msg-id:" + id2, sub.next());
        assertNull(sub.poll(1_000), "one copy each");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void mirrorPrefixPutsTheCopyUnderIt(TestBroker broker) throws Exception {
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(broker, location, b -> b.mirrorPrefix("mirror"))) {
      String topic = gw.topic("t");
      try (MosquittoSub sub = new MosquittoSub(broker, "mirror/" + topic)) {
        String id = send(gw, topic, "x");
        assertEquals("mirror/" + topic + " x unit:C robustmq-msg-id:" + id, sub.next());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void mosquittoPubOnAnIngestFilterIsReceivedAndNotEchoed(TestBroker broker) throws Exception {
    String filter = "ingest" + ProcessHandle.current().pid() + broker.name() + "/#";
    String topic = filter.replace("#", "devices/d1/temp");
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(broker, location, b -> b.ingest(filter));
        MosquittoSub sub = new MosquittoSub(broker, topic)) {
      Tools.Run pub = Tools.run(Tools.binary("mosquitto_pub", "mosquitto-clients"), "-V", "mqttv5",
          "-h", broker.host(), "-p", Integer.toString(broker.port()), "-q", "1", "-t", topic, "-m", "23.5",
          "-D", "publish", "user-property", "unit", "C");
      assertEquals(0, pub.exit(), pub.stderr());

      List<Message> got = GatewaySemanticsTest.receive(gw, topic, 10, 10_000, 0);
      assertEquals(1, got.size());
      assertEquals("23.5", got.get(0).getPayload().toStringUtf8());
      assertEquals("C", got.get(0).getHeadersMap().get("unit"));
      // Subscribers of that topic had the publish itself; the Gateway adds no second copy.
      assertEquals(topic + " 23.5 unit:C", sub.next());
      assertNull(sub.poll(1_000), "no echo of an ingested message");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void sendOnAnIngestedTopicIsStoredOnceAndSeenOnce(TestBroker broker) throws Exception {
    String filter = "loop" + ProcessHandle.current().pid() + broker.name() + "/#";
    String topic = filter.replace("#", "x");
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(broker, location, b -> b.ingest(filter));
        MosquittoSub sub = new MosquittoSub(broker, topic)) {
      String id = send(gw, topic, "once");
      assertEquals(topic + " once unit:C robustmq-msg-id:" + id, sub.next());
      assertNull(sub.poll(1_500), "the mirror came back through the ingest filter");
      List<Message> got = GatewaySemanticsTest.receive(gw, topic, 10, 0, 0);
      assertEquals(List.of(id), got.stream().map(Message::getMsgId).toList());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void twoInstancesWithTheSameIngestFilterStoreEachPublishOnceAndNeverLoop(TestBroker broker) throws Exception {
    String filter = "shared" + ProcessHandle.current().pid() + broker.name() + "/#";
    String topic = filter.replace("#", "d");
    // Two instances of one deployment: one (PostgreSQL) store, one group for every path.
    try (StoreKind.Location store = StoreKind.POSTGRES.newLocation();
        TestGateway a = new TestGateway(broker, store, b -> b.ingest(filter));
        TestGateway b = new TestGateway(broker, store, a.prefix, x -> x.ingest(filter));
        Mqtt device = new Mqtt(broker.uri())) {
      for (int i = 0; i < 10; i++) {
        device.publish(topic, ("m" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      send(a, topic, "via-a");
      send(b, topic, "via-b");
      AtomicInteger seen = new AtomicInteger();
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.addAndGet(take(a, topic) + take(b, topic)) >= 12);
      await().pollDelay(Duration.ofMillis(1_500)).until(() -> true);
      assertEquals(12, seen.addAndGet(take(a, topic) + take(b, topic)), "nothing more arrives");
      try (MessageStore s = store.open()) {
        assertEquals(12, s.count(topic), "each message stored exactly once");
      }
    }
  }

  /** How many messages this instance hands out now (leased for long, so none comes twice). */
  private static int take(TestGateway gw, String topic) {
    return GatewaySemanticsTest.receive(gw, topic, 1000, 0, 600_000).size();
  }
}
