package io.grpcmqtt.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LISTENs on {@link SqlDialect#CHANNEL} with a connection of its own and passes each event on. One
 * thread per store; it reconnects after a database restart. Payloads: {@code v <topic>} (messages
 * became visible) and {@code a <id> <topic>} (a message was acknowledged).
 */
final class PgNotifications implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PgNotifications.class);
  private static final int POLL_MILLIS = 500;
  private static final long RECONNECT_MILLIS = 1_000;

  private final ConnectionPool pool;
  private final Thread thread;
  private volatile MessageStore.RemoteEvents listener;
  private volatile boolean closed;

  PgNotifications(ConnectionPool pool) {
    this.pool = pool;
    this.thread = new Thread(this::run, "gateway-pg-notifications");
    thread.setDaemon(true);
    thread.start();
  }

  void listen(MessageStore.RemoteEvents listener) {
    this.listener = listener;
  }

  static String visible(String topic) {
    return "v " + topic;
  }

  static String acked(String topic, long id) {
    return "a " + id + " " + topic;
  }

  private void dispatch(String payload) {
    MessageStore.RemoteEvents l = listener;
    if (l == null || payload == null || payload.length() < 3) {
      return;
    }
    if (payload.startsWith("v ")) {
      l.visible(payload.substring(2));
    } else if (payload.startsWith("a ")) {
      int space = payload.indexOf(' ', 2);
      if (space > 2) {
        try {
          l.acked(payload.substring(space + 1), Long.parseLong(payload.substring(2, space)));
        } catch (NumberFormatException e) {
          log.debug("ignoring notification '{}'", payload);
        }
      }
    }
  }

  private void run() {
    while (!closed) {
      try (Connection c = pool.open()) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + SqlDialect.CHANNEL);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] batch = pg.getNotifications(POLL_MILLIS);
          if (batch != null) {
            for (PGNotification n : batch) {
              dispatch(n.getParameter());
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        log.warn("Lost the PostgreSQL notification connection ({}); reconnecting in {} ms",
            e.getMessage(), RECONNECT_MILLIS);
        try {
          Thread.sleep(RECONNECT_MILLIS);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
