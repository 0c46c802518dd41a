package io.grpcmqtt.gateway.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpcmqtt.gateway.v1.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MessageStore} on a SQL database through JDBC: one table, {@code gateway_message}, whose
 * identity column gives ids in append order. Headers are kept as a protobuf-encoded {@link
 * Message} holding only its headers map.
 */
final class JdbcMessageStore implements MessageStore {
  private static final Logger log = LoggerFactory.getLogger(JdbcMessageStore.class);
  private static final int POOL_SIZE = 8;
  private static final String COLUMNS = "id, topic, payload, headers, created_ms, delivery_count";

  private final SqlDialect dialect;
  private final String description;
  private final ConnectionPool pool;
  private final JdbcOutbox outbox;
  /** H2 claims one at a time (no SKIP LOCKED); PostgreSQL claims concurrently. */
  private final ReentrantLock claimLock = new ReentrantLock();
  /** When expired idempotency keys are next deleted (epoch ms). */
  private final AtomicLong nextKeyPruneMillis = new AtomicLong();
  private PgNotifications notifications;
  private String id;

  private JdbcMessageStore(String url, SqlDialect dialect, String description) {
    this.dialect = dialect;
    this.description = description;
    this.pool = new ConnectionPool(url, POOL_SIZE, dialect.sessionSetup);
    this.outbox = new JdbcOutbox(pool, dialect);
  }

  static JdbcMessageStore openH2(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
    }
    Path file = dataDir.toAbsolutePath().resolve("gateway");
    // DB_CLOSE_ON_EXIT=FALSE: the Gateway closes the database itself, after it has requeued what
    // its streams held; H2's own shutdown hook would close it first.
    String url = "jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE";
    return start(new JdbcMessageStore(url, SqlDialect.H2, "h2:" + file + ".mv.db"));
  }

  static JdbcMessageStore open(String url, SqlDialect dialect) {
    return start(new JdbcMessageStore(url, dialect, SqlDialect.redact(url)));
  }

  private static JdbcMessageStore start(JdbcMessageStore store) {
    try {
      store.createSchema();
      if (store.dialect == SqlDialect.POSTGRES) {
        store.notifications = new PgNotifications(store.pool);
      }
      log.info("Message store ready: {}", store.description);
      return store;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private void createSchema() {
    pool.inTransaction(c -> {
      try (Statement s = c.createStatement()) {
        if (dialect == SqlDialect.POSTGRES) {
          // Two instances starting at once must not both create the table.
          s.execute("SELECT pg_advisory_xact_lock(7236001)");
        }
        for (String ddl : dialect.createSchema()) {
          s.execute(ddl);
        }
        for (String ddl : JdbcOutbox.createSchema(dialect)) {
          s.execute(ddl);
        }
      }
      // Under the lock above (PostgreSQL) or alone (H2): the first store on a database names it.
      id = readMeta(c, "store_id");
      if (id == null) {
        id = UUID.randomUUID().toString();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO gateway_meta (name, val) VALUES ('store_id', ?)")) {
          ps.setString(1, id);
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  private static String readMeta(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT val FROM gateway_meta WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  @Override
  public long append(String topic, byte[] payload, Map<String, String> headers, long nowMillis) {
    return pool.with(c -> insert(c, topic, payload, headers, nowMillis));
  }

  @Override
  public Appended appendOnce(String topic, byte[] payload, Map<String, String> headers, long nowMillis,
      String idempotencyKey, long windowMillis) {
    return appendOnce(topic, payload, headers, nowMillis, null, idempotencyKey, windowMillis);
  }

  @Override
  public Appended appendOnce(String topic, byte[] payload, Map<String, String> headers, long nowMillis,
      @Nullable String outboxDestination, String idempotencyKey, long windowMillis) {
    long oldest = nowMillis - windowMillis;
    for (int attempt = 1; ; attempt++) {
      try {
        Appended result = pool.inTransaction(c -> {
          try (PreparedStatement ps = c.prepareStatement(
              "SELECT msg_id FROM gateway_send_key WHERE topic = ? AND idem_key = ? AND created_ms > ?")) {
            ps.setString(1, topic);
            ps.setString(2, idempotencyKey);
            ps.setLong(3, oldest);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                return new Appended(rs.getLong(1), false);
              }
            }
          }
          long id = insert(c, topic, payload, headers, nowMillis);
          if (outboxDestination != null) {
            outbox.add(c, id, outboxDestination);
          }
          try (PreparedStatement ps = c.prepareStatement(
              "DELETE FROM gateway_send_key WHERE topic = ? AND idem_key = ? AND created_ms <= ?")) {
            ps.setString(1, topic);
            ps.setString(2, idempotencyKey);
            ps.setLong(3, oldest);
            ps.executeUpdate();
          }
          // A concurrent Send with this key that commits first makes this insert fail (after
          // waiting for it, on PostgreSQL): the whole transaction is undone and tried again.
          try (PreparedStatement ps = c.prepareStatement(
              "INSERT INTO gateway_send_key (topic, idem_key, msg_id, created_ms) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, topic);
            ps.setString(2, idempotencyKey);
            ps.setLong(3, id);
            ps.setLong(4, nowMillis);
            ps.executeUpdate();
          }
          return new Appended(id, true);
        });
        pruneKeys(nowMillis, oldest);
        return result;
      } catch (StoreException e) {
        if (attempt >= 3 || !(e.getCause() instanceof SQLException sql
            && SqlDialect.UNIQUE_VIOLATION.equals(sql.getSQLState()))) {
          throw e;
        }
      }
    }
  }

  /** Deletes keys older than the window, at most once a minute per store. */
  private void pruneKeys(long nowMillis, long oldest) {
    long due = nextKeyPruneMillis.get();
    if (nowMillis < due || !nextKeyPruneMillis.compareAndSet(due, nowMillis + 60_000)) {
      return;
    }
    try {
      pool.with(c -> {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM gateway_send_key WHERE created_ms <= ?")) {
          ps.setLong(1, oldest);
          return ps.executeUpdate();
        }
      });
    } catch (StoreException e) {
      log.debug("pruning idempotency keys failed (tried again later): {}", e.getMessage());
    }
  }

  /** Inserts a message in {@code c}'s transaction (or auto-commit); returns its id. */
  private long insert(Connection c, String topic, byte[] payload, Map<String, String> headers, long nowMillis)
      throws SQLException {
    if (dialect == SqlDialect.POSTGRES) {
      // One round trip: the insert, and a notification other instances get once it commits.
      try (PreparedStatement ps = c.prepareStatement(
          "WITH ins AS (INSERT INTO gateway_message"
              + " (topic, payload, headers, created_ms, visible_at_ms, delivery_count)"
              + " VALUES (?, ?, ?, ?, ?, 0) RETURNING id)"
              + " SELECT ins.id, pg_notify('" + SqlDialect.CHANNEL + "', ?) FROM ins")) {
        bindInsert(ps, topic, payload, headers, nowMillis);
        ps.setString(6, PgNotifications.visible(topic));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO gateway_message (topic, payload, headers, created_ms, visible_at_ms, delivery_count)"
            + " VALUES (?, ?, ?, ?, ?, 0)", new String[] {"ID"})) {
      bindInsert(ps, topic, payload, headers, nowMillis);
      ps.executeUpdate();
      try (ResultSet rs = ps.getGeneratedKeys()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Override
  public long append(String topic, byte[] payload, Map<String, String> headers, long nowMillis,
      @Nullable String outboxDestination) {
    if (outboxDestination == null) {
      return append(topic, payload, headers, nowMillis);
    }
    // The message and its outbox entry commit together (PostgreSQL's notification goes out at the commit).
    return pool.inTransaction(c -> {
      long id = insert(c, topic, payload, headers, nowMillis);
      outbox.add(c, id, outboxDestination);
      return id;
    });
  }

  @Override
  public Outbox outbox() {
    return outbox;
  }

  private static void bindInsert(
      PreparedStatement ps, String topic, byte[] payload, Map<String, String> headers, long now)
      throws SQLException {
    ps.setString(1, topic);
    ps.setBytes(2, payload);
    ps.setBytes(3, headers.isEmpty() ? null : Message.newBuilder().putAllHeaders(headers).build().toByteArray());
    ps.setLong(4, now);
    ps.setLong(5, now);
  }

  @Override
  public List<StoredMessage> claim(
      String topic, int maxMessages, long maxBytes, long lease, long leaseUntilMillis, long nowMillis) {
    boolean serialize = dialect == SqlDialect.H2;
    if (serialize) {
      claimLock.lock();
    }
    try {
      return pool.inTransaction(c -> {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(dialect.claimCandidates())) {
          ps.setString(1, topic);
          ps.setLong(2, nowMillis);
          ps.setInt(3, maxMessages);
          long bytes = 0;
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              long size = rs.getLong(2);
              if (!ids.isEmpty() && bytes + size > maxBytes) {
                break;
              }
              bytes += size;
              ids.add(rs.getLong(1));
            }
          }
        }
        if (ids.isEmpty()) {
          return List.of();
        }
        try (PreparedStatement ps = c.prepareStatement(
            "UPDATE gateway_message SET visible_at_ms = ?, delivery_count = delivery_count + 1, lease = ?"
                + " WHERE id IN (" + placeholders(ids.size()) + ")")) {
          ps.setLong(1, leaseUntilMillis);
          ps.setLong(2, lease);
          bindIds(ps, 3, ids);
          ps.executeUpdate();
        }
        List<StoredMessage> claimed = new ArrayList<>(ids.size());
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT " + COLUMNS + " FROM gateway_message WHERE id IN (" + placeholders(ids.size()) + ") ORDER BY id")) {
          bindIds(ps, 1, ids);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              claimed.add(read(rs));
            }
          }
        }
        return claimed;
      });
    } finally {
      if (serialize) {
        claimLock.unlock();
      }
    }
  }

  @Override
  public boolean ack(String topic, long id) {
    return pool.with(c -> {
      if (dialect == SqlDialect.POSTGRES) {
        // Other instances learn of the ack, so a stream of theirs holding the message frees its slot.
        try (PreparedStatement ps = c.prepareStatement(
            "WITH del AS (DELETE FROM gateway_message WHERE id = ? AND topic = ? AND delivery_count > 0"
                + " RETURNING id) SELECT del.id, pg_notify('" + SqlDialect.CHANNEL + "', ?) FROM del")) {
          ps.setLong(1, id);
          ps.setString(2, topic);
          ps.setString(3, PgNotifications.acked(topic, id));
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next();
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM gateway_message WHERE id = ? AND topic = ? AND delivery_count > 0")) {
        ps.setLong(1, id);
        ps.setString(2, topic);
        return ps.executeUpdate() == 1;
      }
    });
  }

  @Override
  public void release(String topic, long lease, Collection<Long> ids, long nowMillis) {
    if (ids.isEmpty()) {
      return;
    }
    List<Long> list = List.copyOf(ids);
    pool.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE gateway_message SET visible_at_ms = ?, lease = NULL"
              + " WHERE lease = ? AND topic = ? AND id IN (" + placeholders(list.size()) + ")")) {
        ps.setLong(1, nowMillis);
        ps.setLong(2, lease);
        ps.setString(3, topic);
        bindIds(ps, 4, list);
        ps.executeUpdate();
      }
      if (dialect == SqlDialect.POSTGRES) {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('" + SqlDialect.CHANNEL + "', ?)")) {
          ps.setString(1, PgNotifications.visible(topic));
          ps.execute();
        }
      }
      return null;
    });
  }

  @Override
  public Set<Long> stillLeased(String topic, long lease, Collection<Long> ids, long nowMillis) {
    if (ids.isEmpty()) {
      return Set.of();
    }
    List<Long> list = List.copyOf(ids);
    return pool.with(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id FROM gateway_message WHERE lease = ? AND visible_at_ms > ? AND topic = ?"
              + " AND id IN (" + placeholders(list.size()) + ")")) {
        ps.setLong(1, lease);
        ps.setLong(2, nowMillis);
        ps.setString(3, topic);
        bindIds(ps, 4, list);
        Set<Long> held = new HashSet<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            held.add(rs.getLong(1));
          }
        }
        return held;
      }
    });
  }

  @Override
  public void onRemoteEvents(RemoteEvents listener) {
    if (notifications != null) {
      notifications.listen(listener);
    }
  }

  @Override
  public long count(String topic) {
    return pool.with(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM gateway_message WHERE topic = ?")) {
        ps.setString(1, topic);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public List<QueueStats> stats(String topicPrefix, long nowMillis) {
    return pool.with(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT topic, COUNT(*), SUM(CASE WHEN lease IS NOT NULL AND visible_at_ms > ? THEN 1 ELSE 0 END),"
              + " MIN(created_ms) FROM gateway_message WHERE SUBSTRING(topic, 1, ?) = ? GROUP BY topic")) {
        ps.setLong(1, nowMillis);
        ps.setInt(2, topicPrefix.codePointCount(0, topicPrefix.length()));
        ps.setString(3, topicPrefix);
        List<QueueStats> stats = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            stats.add(new QueueStats(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
          }
        }
        return stats;
      }
    });
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    if (notifications != null) {
      notifications.close();
    }
    pool.close();
  }

  private static StoredMessage read(ResultSet rs) throws SQLException {
    return new StoredMessage(rs.getLong(1), rs.getString(2), rs.getBytes(3),
        headers(rs.getBytes(4), rs.getLong(1)), rs.getLong(5), rs.getInt(6));
  }

  /** The headers column (see the class comment) of message {@code id}. */
  static Map<String, String> headers(byte[] headerBytes, long id) throws SQLException {
    try {
      return headerBytes == null ? Map.of() : Message.parseFrom(headerBytes).getHeadersMap();
    } catch (InvalidProtocolBufferException e) {
      throw new SQLException("corrupt headers of message " + id, e);
    }
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  private static void bindIds(PreparedStatement ps, int first, List<Long> ids) throws SQLException {
    for (int i = 0; i < ids.size(); i++) {
      ps.setLong(first + i, ids.get(i));
    }
  }
}
