package io.grpcmqtt.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;

/**
 * Calls that ended recently, so a QoS 1 duplicate of their request is answered from here (unary)
 * or dropped (streams) instead of running the handler again. Bounded in entries and in bytes;
 * entries live as long as the request could still be redelivered.
 */
final class RecentCalls {
  /** The reply a unary call published, to publish again for a duplicate request. */
  static final class Reply {
    final String topic;
    final byte[] payload;
    final PublishProperties properties;

    Reply(String topic, byte[] payload, PublishProperties properties) {
      this.topic = topic;
      this.payload = payload;
      this.properties = properties;
    }
  }

  private static final class Entry {
    final long expiresAtNanos;
    @Nullable final Reply reply;

    Entry(long expiresAtNanos, @Nullable Reply reply) {
      this.expiresAtNanos = expiresAtNanos;
      this.reply = reply;
    }

    long size() {
      return reply == null ? 64 : 64 + reply.payload.length;
    }
  }

  private final int maxEntries;
  private final long maxBytes;

  @GuardedBy("this")
  private final LinkedHashMap<CallKey, Entry> entries = new LinkedHashMap<>();

  @GuardedBy("this")
  private long bytes;

  RecentCalls(int maxEntries, long maxBytes) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  synchronized void remember(CallKey key, @Nullable Reply reply, long ttlNanos) {
    long now = System.nanoTime();
    Entry entry = new Entry(now + ttlNanos, reply);
    // One hash lookup for a call not remembered yet, which is every call but a rare duplicate.
    Entry old = entries.put(key, entry);
    if (old != null) {
      bytes -= old.size();
      // Remembered again: it goes to the end of the eviction order, as a new entry would.
      entries.remove(key);
      entries.put(key, entry);
    }
    bytes += entry.size();
    Iterator<Entry> it = entries.values().iterator();
    while (it.hasNext()) {
      Entry oldest = it.next();
      if (entries.size() <= maxEntries && bytes <= maxBytes && !isExpired(oldest, now)) {
        break;
      }
      bytes -= oldest.size();
      it.remove();
    }
  }

  /** True when the call ended recently; {@code reply[0]} is its cached reply, if it had one. */
  synchronized boolean lookup(CallKey key, Reply[] reply) {
    Entry entry = entries.get(key);
    if (entry == null) {
      return false;
    }
    if (isExpired(entry, System.nanoTime())) {
      entries.remove(key);
      bytes -= entry.size();
      return false;
    }
    reply[0] = entry.reply;
    return true;
  }

  synchronized int size() {
    return entries.size();
  }

  private static boolean isExpired(Entry entry, long now) {
    return now - entry.expiresAtNanos > 0;
  }
}
