package io.grpcmqtt.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs at WARN at most once per interval and counts what it held back, so a flood of bad input
 * cannot flood the log.
 */
final class RateLimitedLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  RateLimitedLog(Logger log, long intervalMillis) {
    this.log = log;
    this.intervalNanos = intervalMillis * 1_000_000L;
  }

  void warn(String format, Object... args) {
    long now = System.nanoTime();
    long allowed = nextAllowed.get();
    if ((allowed == Long.MIN_VALUE || now - allowed >= 0)
        && nextAllowed.compareAndSet(allowed, now + intervalNanos)) {
      long held = suppressed.getAndSet(0);
      if (held > 0) {
        log.warn("({} similar messages suppressed) " + format, prepend(held, args));
      } else {
        log.warn(format, args);
      }
    } else {
      suppressed.incrementAndGet();
    }
  }

  private static Object[] prepend(long first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
