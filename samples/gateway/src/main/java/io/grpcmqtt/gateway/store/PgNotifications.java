package io.grpcmqtt.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LISTENs on {@link SqlDialect#CHANNEL} with a connection of its own and passes each notified
 * topic on. One thread per store; it reconnects after a database restart.
 */
final class PgNotifications implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PgNotifications.class);
  private static final int POLL_MILLIS = 500;
  private static final long RECONNECT_MILLIS = 1_000;

  private final ConnectionPool pool;
  private final Thread thread;
  private volatile Consumer<String> listener = topic -> {};
  private volatile boolean closed;

  PgNotifications(ConnectionPool pool) {
    this.pool = pool;
    this.thread = new Thread(this::run, "gateway-pg-notifications");
    thread.setDaemon(true);
    thread.start();
  }

  void listen(Consumer<String> listener) {
    this.listener = listener;
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
              listener.accept(n.getParameter());
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
