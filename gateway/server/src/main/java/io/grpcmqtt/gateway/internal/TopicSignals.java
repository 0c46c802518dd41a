package io.grpcmqtt.gateway.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who waits for messages on which topic. A waiting consumer registers once and is woken on every
 * {@link #signal}; it holds no thread while it waits. Waking is cheap and never blocks: a waiter
 * only schedules its own work.
 */
public final class TopicSignals {

  /** A consumer waiting for messages. */
  public interface Waiter {
    /** Something may have become visible on the topic: look again (soon, on another thread). */
    void wake();
  }

  private final ConcurrentHashMap<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();

  public void register(String topic, Waiter waiter) {
    waiters.compute(topic, (t, set) -> {
      Set<Waiter> s = set != null ? set : ConcurrentHashMap.newKeySet();
      s.add(waiter);
      return s;
    });
  }

  public void unregister(String topic, Waiter waiter) {
    waiters.computeIfPresent(topic, (t, set) -> {
      set.remove(waiter);
      return set.isEmpty() ? null : set;
    });
  }

  /** Messages may have become visible on {@code topic}. */
  public void signal(String topic) {
    Set<Waiter> set = waiters.get(topic);
    if (set != null) {
      for (Waiter w : set) {
        w.wake();
      }
    }
  }

  /** Topics with at least one waiter (for tests). */
  int topicsWaitedOn() {
    return waiters.size();
  }
}
