package io.grpcmqtt.gateway.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/** A WARN at most every few seconds, with how many were suppressed: bad input must not flood logs. */
public final class RateLimitedLog {
  private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Logger log;
  private final AtomicLong next = new AtomicLong(System.nanoTime());
  private final AtomicLong suppressed = new AtomicLong();

  public RateLimitedLog(Logger log) {
    this.log = log;
  }

  public void warn(String format, Object... args) {
    long now = System.nanoTime();
    long due = next.get();
    if (now - due >= 0 && next.compareAndSet(due, now + INTERVAL_NANOS)) {
      long skipped = suppressed.getAndSet(0);
      log.warn(skipped == 0 ? format : format + " (and " + skipped + " similar in the last 5 s)", args);
    } else {
      suppressed.incrementAndGet();
    }
  }
}
