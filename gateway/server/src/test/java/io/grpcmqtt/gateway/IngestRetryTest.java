package io.grpcmqtt.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.gateway.internal.MqttBridge;
import io.grpcmqtt.gateway.store.MessageStore;
import io.grpcmqtt.gateway.store.QueueStats;
import io.grpcmqtt.gateway.store.StoredMessage;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * While the store cannot take a message, an ingested publish is not acknowledged to the broker but
 * tried again, so nothing published meanwhile is lost: once the store is back, every one is
 * stored, once. On HiveMQ and Mosquitto.
 */
class IngestRetryTest {
  private static final int PUBLISHED = 50;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void ingestLosesNothingWhileTheStoreIsDown(TestBroker broker) throws Exception {
    String name = "retry" + ProcessHandle.current().pid() + broker.name();
    String topic = name + "/in/dev";
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        LogCapture bridgeLog = new LogCapture(MqttBridge.class);
        Mqtt publisher = new Mqtt(broker.uri())) {
      OutageStore store = new OutageStore(location.open());
      try (Gateway gateway = Gateway.start(GatewayConfig.builder(broker.uri()).deployment(name).rpcTopicPrefix("rpc-" + name)
          .ingest(name + "/in/#").build(), store)) {
        store.down = true;
        for (int i = 0; i < PUBLISHED; i++) {
          publisher.publish(topic, ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> bridgeLog.contains("Could not store a plain MQTT publish"));
        assertEquals(0, store.count(topic));
        store.down = false;
        await().atMost(Duration.ofSeconds(30)).until(() -> store.count(topic) >= PUBLISHED);
        assertTrue(bridgeLog.contains("trying again every 1000 ms"), bridgeLog.lines().toString());
        long now = System.currentTimeMillis();
        List<StoredMessage> all = store.claim(topic, 1_000, Long.MAX_VALUE, 1, now + 60_000, now);
        assertEquals(PUBLISHED, all.stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).distinct().count(),
            "each publish stored once");
        assertEquals(PUBLISHED, all.size());
      }
    }
  }

  /** The store, with appends failing while {@link #down} (as when its database is unreachable). */
  private static final class OutageStore implements MessageStore {
    private final MessageStore store;
    volatile boolean down;

    OutageStore(MessageStore store) {
      this.store = store;
    }

    private void check() {
      if (down) {
        throw new IllegalStateException("connection refused (the test's outage)");
      }
    }

    @Override
    public long append(String topic, byte[] payload, Map<String, String> headers, long nowMillis) {
      check();
      return store.append(topic, payload, headers, nowMillis);
    }

    @Override
    public Appended appendOnce(String topic, byte[] payload, Map<String, String> headers, long nowMillis,
        String idempotencyKey, long windowMillis) {
      check();
      return store.appendOnce(topic, payload, headers, nowMillis, idempotencyKey, windowMillis);
    }

    @Override
    public List<StoredMessage> claim(String topic, int max, long maxBytes, long lease, long visibleAtMillis,
        long nowMillis) {
      return store.claim(topic, max, maxBytes, lease, visibleAtMillis, nowMillis);
    }

    @Override
    public boolean ack(String topic, long id) {
      return store.ack(topic, id);
    }

    @Override
    public void release(String topic, long lease, Collection<Long> ids, long nowMillis) {
      store.release(topic, lease, ids, nowMillis);
    }

    @Override
    public Set<Long> stillLeased(String topic, long lease, Collection<Long> ids, long nowMillis) {
      return store.stillLeased(topic, lease, ids, nowMillis);
    }

    @Override
    public void onRemoteEvents(RemoteEvents listener) {
      store.onRemoteEvents(listener);
    }

    @Override
    public long count(String topic) {
      return store.count(topic);
    }

    @Override
    public String id() {
      return store.id();
    }

    @Override
    public List<QueueStats> stats(String topicPrefix, long nowMillis) {
      return store.stats(topicPrefix, nowMillis);
    }

    @Override
    public String describe() {
      return "outage(" + store.describe() + ")";
    }

    @Override
    public void close() {
      store.close();
    }
  }
}
