package io.grpcmqtt.internal;

import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * Restores the order of one direction of a call from its sequence numbers and drops QoS 1
 * duplicates. Holds at most {@code capacity} early arrivals, so a peer that ignores flow control
 * cannot grow it without limit. Not thread-safe: callers hold the call's lock.
 */
final class SequenceBuffer<T> {
  /** Created by the first numbered frame: an idle stream never receives one. */
  @Nullable private TreeMap<Long, T> early;
  private final int capacity;
  private long next;

  SequenceBuffer(long first, int capacity) {
    this.next = first;
    this.capacity = capacity;
  }

  enum Offer {
    ACCEPTED,
    DUPLICATE,
    OVERFLOW
  }

  Offer offer(long seq, T item) {
    if (isDuplicate(seq)) {
      return Offer.DUPLICATE;
    }
    if (early == null) {
      early = new TreeMap<>();
    }
    if (seq != next && early.size() >= capacity) {
      return Offer.OVERFLOW;
    }
    early.put(seq, item);
    return Offer.ACCEPTED;
  }

  /** The next item in order, or null while it has not arrived. */
  @Nullable
  T poll() {
    if (early == null) {
      return null;
    }
    T item = early.remove(next);
    if (item != null) {
      next++;
    }
    return item;
  }

  /** True when {@code seq} was already taken: passed, or waiting in the buffer. */
  boolean isDuplicate(long seq) {
    return seq < next || (early != null && early.containsKey(seq));
  }

  long nextExpected() {
    return next;
  }
}
