package io.grpcmqtt.gateway.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A fixed number of JDBC connections, handed out one caller at a time. A connection that saw an
 * error is validated before it is reused and replaced when broken, so a database restart costs the
 * calls in flight, not the pool.
 */
final class ConnectionPool implements AutoCloseable {
  private static final long ACQUIRE_TIMEOUT_SECONDS = 30;
  private static final int VALIDATION_TIMEOUT_SECONDS = 2;

  private final String url;
  private final List<String> sessionSetup;
  private final Semaphore permits;
  private final LinkedBlockingDeque<Connection> idle = new LinkedBlockingDeque<>();
  private final List<Connection> all = new ArrayList<>();
  private volatile boolean closed;

  ConnectionPool(String url, int size, List<String> sessionSetup) {
    this.url = url;
    this.sessionSetup = sessionSetup;
    this.permits = new Semaphore(size, true);
  }

  /** Work done with one connection. */
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} with a connection in auto-commit mode; wraps SQL errors. */
  <T> T with(Work<T> work) {
    Connection c = acquire();
    boolean broken = false;
    try {
      return work.run(c);
    } catch (SQLException e) {
      broken = true;
      throw new StoreException("store operation failed: " + e.getMessage(), e);
    } finally {
      release(c, broken);
    }
  }

  /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
  <T> T inTransaction(Work<T> work) {
    return with(c -> {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    });
  }

  /** A new connection outside the pool (the caller closes it). */
  Connection open() throws SQLException {
    Connection c = DriverManager.getConnection(url);
    try (Statement s = c.createStatement()) {
      for (String sql : sessionSetup) {
        s.execute(sql);
      }
    }
    return c;
  }

  private Connection acquire() {
    if (closed) {
      throw new StoreException("the store is closed");
    }
    try {
      if (!permits.tryAcquire(ACQUIRE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new StoreException("no database connection free within " + ACQUIRE_TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for a database connection");
    }
    Connection c = idle.pollFirst();
    if (c != null) {
      return c;
    }
    try {
      c = open();
      synchronized (all) {
        all.add(c);
      }
      return c;
    } catch (SQLException e) {
      permits.release();
      throw new StoreException("cannot connect to the database: " + e.getMessage(), e);
    }
  }

  private void release(Connection c, boolean sawError) {
    try {
      if (closed || (sawError && !isValid(c))) {
        discard(c);
      } else {
        idle.addFirst(c);
      }
    } finally {
      permits.release();
    }
  }

  private static boolean isValid(Connection c) {
    try {
      return c.isValid(VALIDATION_TIMEOUT_SECONDS);
    } catch (SQLException e) {
      return false;
    }
  }

  private void discard(Connection c) {
    synchronized (all) {
      all.remove(c);
    }
    try {
      c.close();
    } catch (SQLException ignored) {
      // It is being thrown away because it is broken.
    }
  }

  @Override
  public void close() {
    closed = true;
    List<Connection> toClose;
    synchronized (all) {
      toClose = new ArrayList<>(all);
      all.clear();
    }
    idle.clear();
    for (Connection c : toClose) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // Closing anyway.
      }
    }
  }
}
