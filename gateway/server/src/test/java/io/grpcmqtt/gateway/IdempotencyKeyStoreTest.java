package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.gateway.store.MessageStore;
import io.grpcmqtt.gateway.store.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Idempotency keys and the store's identity, on both stores, with the clock given by the test. */
class IdempotencyKeyStoreTest {
  private static final byte[] PAYLOAD = "x".getBytes(StandardCharsets.UTF_8);

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.gateway.StoreKind#both")
  void aKeyIsRememberedPerTopicForItsWindow(StoreKind kind) {
    try (StoreKind.Location location = kind.newLocation(); MessageStore store = location.open()) {
      MessageStore.Appended first = store.appendOnce("t", PAYLOAD, Map.of(), 1_000, "k", 100);
      assertTrue(first.appended());
      assertEquals(new MessageStore.Appended(first.id(), false), store.appendOnce("t", PAYLOAD, Map.of(), 1_099, "k", 100));
      MessageStore.Appended otherTopic = store.appendOnce("u", PAYLOAD, Map.of(), 1_050, "k", 100);
      assertTrue(otherTopic.appended(), "keys are per topic");
      assertTrue(store.appendOnce("t", PAYLOAD, Map.of(), 1_050, "k2", 100).appended());
      assertEquals(3, store.count("t") + store.count("u"), "t: k, k2; u: k");

      // Acknowledged meanwhile: a retry still gets the first id and stores nothing.
      List<StoredMessage> claimed = store.claim("t", 10, Long.MAX_VALUE, 1, 5_000, 1_060);
      assertTrue(store.ack("t", claimed.get(0).id()));
      assertEquals(new MessageStore.Appended(first.id(), false), store.appendOnce("t", PAYLOAD, Map.of(), 1_070, "k", 100));
      assertEquals(1, store.count("t"));

      // Past the window the key is forgotten: a new message.
      MessageStore.Appended later = store.appendOnce("t", PAYLOAD, Map.of(), 1_100, "k", 100);
      assertTrue(later.appended());
      assertNotEquals(first.id(), later.id());
      assertEquals(new MessageStore.Appended(later.id(), false), store.appendOnce("t", PAYLOAD, Map.of(), 1_150, "k", 100));
    }
  }

  /** Concurrent retries with one key, also from two stores on one database: one message. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.gateway.StoreKind#both")
  void concurrentSendsWithOneKeyStoreOneMessage(StoreKind kind) throws Exception {
    try (StoreKind.Location location = kind.newLocation();
        MessageStore a = location.open();
        MessageStore b = kind == StoreKind.POSTGRES ? location.open() : null) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        for (int round = 0; round < 5; round++) {
          String key = "key-" + round;
          CountDownLatch go = new CountDownLatch(1);
          List<Future<MessageStore.Appended>> results = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            MessageStore store = b != null && i % 2 == 1 ? b : a;
            results.add(pool.submit(() -> {
              go.await();
              return store.appendOnce("c", PAYLOAD, Map.of(), 10_000, key, 60_000);
            }));
          }
          go.countDown();
          List<MessageStore.Appended> got = new ArrayList<>();
          for (Future<MessageStore.Appended> f : results) {
            got.add(f.get(30, TimeUnit.SECONDS));
          }
          assertEquals(1, got.stream().filter(MessageStore.Appended::appended).count(), got.toString());
          assertEquals(1, got.stream().map(MessageStore.Appended::id).distinct().count(), got.toString());
        }
        assertEquals(5, a.count("c"));
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * A database made by a Gateway without idempotency keys (only {@code gateway_message}) is
   * upgraded in place: its messages stay, keys work, and its id is stable from then on.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.gateway.StoreKind#both")
  void anExistingDatabaseIsUpgradedInPlace(StoreKind kind) throws Exception {
    try (StoreKind.Location location = kind.newLocation()) {
      String url = kind == StoreKind.H2
          ? "jdbc:h2:file:" + location.cliArgs.get(1) + "/gateway"
          : location.cliArgs.get(1);
      String binary = kind == StoreKind.H2 ? "BINARY VARYING" : "BYTEA";
      String old = kind == StoreKind.H2 ? "X'6f6c64'" : "decode('6f6c64', 'hex')";
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
        // The schema as the first Gateway release created it, with one message.
        s.execute("CREATE TABLE gateway_message (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
            + " topic VARCHAR(4096) NOT NULL, payload " + binary + " NOT NULL, headers " + binary + ","
            + " created_ms BIGINT NOT NULL, visible_at_ms BIGINT NOT NULL, delivery_count INTEGER NOT NULL,"
            + " lease BIGINT)");
        s.execute("CREATE INDEX gateway_message_queue ON gateway_message (topic, id)");
        s.execute("INSERT INTO gateway_message (topic, payload, created_ms, visible_at_ms, delivery_count)"
            + " VALUES ('old', " + old + ", 1, 1, 0)");
      }
      String id;
      try (MessageStore store = location.open()) {
        id = store.id();
        assertFalse(id.isEmpty());
        assertEquals(List.of("old"), store.claim("old", 10, Long.MAX_VALUE, 1, 10, 1).stream()
            .map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList());
        long first = store.appendOnce("t", PAYLOAD, Map.of(), 1, "k", 1_000).id();
        assertEquals(first, store.appendOnce("t", PAYLOAD, Map.of(), 2, "k", 1_000).id());
      }
      try (MessageStore again = location.open()) {
        assertEquals(id, again.id(), "the store keeps its id");
      }
    }
  }
}
