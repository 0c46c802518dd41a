package io.grpcmqtt.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes one connection may hold in chunks of messages not yet whole, over all its calls: a
 * peer that starts many large messages and never finishes them cannot grow memory beyond it.
 */
final class ReassemblyBudget {
  /** What one held chunk costs beyond its payload (map entry, array header), roughly. */
  static final int CHUNK_OVERHEAD = 64;

  private final long limit;
  private final AtomicLong used = new AtomicLong();

  ReassemblyBudget(long limit) {
    this.limit = limit;
  }

  /** The budget of a connection whose messages may be {@code maxMessageSize} bytes. */
  static ReassemblyBudget forMessageSize(int maxMessageSize) {
    return new ReassemblyBudget(Math.max(64L << 20, 4L * maxMessageSize));
  }

  boolean tryAcquire(long bytes) {
    while (true) {
      long now = used.get();
      if (now + bytes > limit) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  long limit() {
    return limit;
  }

  long used() {
    return used.get();
  }
}
