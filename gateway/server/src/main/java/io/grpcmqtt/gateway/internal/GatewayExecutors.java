package io.grpcmqtt.gateway.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Gateway's threads: a fixed pool for store work (its size bounds concurrent database work,
 * however many calls wait) and one timer thread. Waiting calls hold neither.
 */
public final class GatewayExecutors implements AutoCloseable {
  private final ExecutorService work;
  private final ScheduledExecutorService timers;
  private final long pollIntervalNanos;

  public GatewayExecutors(int workThreads, long pollIntervalMillis) {
    this.work = Executors.newFixedThreadPool(workThreads, named("gateway-work"));
    this.timers = Executors.newSingleThreadScheduledExecutor(named("gateway-timer"));
    this.pollIntervalNanos = TimeUnit.MILLISECONDS.toNanos(pollIntervalMillis);
  }

  public ExecutorService work() {
    return work;
  }

  public ScheduledExecutorService timers() {
    return timers;
  }

  /**
   * How often a waiting consumer looks again without being woken: what notices leases that expired
   * (and, with a shared store, acknowledgements made on another instance).
   */
  public long pollIntervalNanos() {
    return pollIntervalNanos;
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    timers.shutdownNow();
    work.shutdown();
    try {
      if (!work.awaitTermination(5, TimeUnit.SECONDS)) {
        work.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      work.shutdownNow();
    }
  }
}
