package io.grpcmqtt.internal;

import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;

/**
 * Calls that ended recently, so a QoS 1 duplicate of their request is answered from here (unary)
 * or dropped (streams) instead of running the handler again. Bounded in entries and in bytes;
 * entries live as long as the request could still be redelivered.
 *
 * <p>Every call on a server passes through here twice (a lookup when its request arrives, a
 * remember when it ends), so the memory allocates nothing per call: the entries sit in parallel
 * arrays used as a ring in the order they were remembered (evicting the eldest advances the tail),
 * found through an open-addressing index whose cells hold a key's hash beside its ring slot, so a
 * miss (every request but a rare duplicate) reads one cell of one array. An entry forgotten out of
 * order (remembered again, or found expired) leaves a dead slot that eviction skips; the ring is
 * compacted when dead slots are all that stand between it and a new entry.
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

  /** What {@link #lookup} returns for a call that ended recently without a reply to repeat. */
  static final Reply NO_REPLY = new Reply("", new byte[0], new PublishProperties());

  /** The bytes an entry counts for besides its reply's payload. */
  private static final int ENTRY_BYTES = 64;
  /** The ring's first size; it doubles up to maxEntries, so a quiet server holds little. */
  private static final int INITIAL_SLOTS = 64;

  private final int maxEntries;
  private final long maxBytes;

  // The ring: slot i holds keys[i] (null: dead or free), expiresAt[i] and replies[i].
  @GuardedBy("this")
  private CallKey[] keys;

  @GuardedBy("this")
  private long[] expiresAt;

  @GuardedBy("this")
  private Reply[] replies;

  /** The eldest slot in use (live whenever {@link #live} is not 0). */
  @GuardedBy("this")
  private int tail;

  /** Slots from the tail on, dead ones included: the next entry goes to the one after them. */
  @GuardedBy("this")
  private int used;

  @GuardedBy("this")
  private int live;

  @GuardedBy("this")
  private long bytes;

  /**
   * Linear-probing index: a cell is 0 when empty, else {@code hash << 32 | (slot + 1)}. At most
   * two thirds full, a power of two in length; a key's home cell is its hash's top bits.
   */
  @GuardedBy("this")
  private long[] index;

  @GuardedBy("this")
  private int indexShift;

  RecentCalls(int maxEntries, long maxBytes) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries " + maxEntries + " < 1");
    }
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    synchronized (this) {
      resize(Math.min(maxEntries, INITIAL_SLOTS));
    }
  }

  /**
   * Remembers that the call ended, with the reply to repeat for a duplicate (null: none), for
   * {@code ttlNanos}; a key remembered again moves to the end of the eviction order.
   */
  synchronized void remember(CallKey key, @Nullable Reply reply, long ttlNanos) {
    long now = System.nanoTime();
    int cell = find(key);
    if (cell >= 0) {
      forget(cell);
    }
    if (used == keys.length) {
      makeRoom();
    }
    int slot = tail + used < keys.length ? tail + used : tail + used - keys.length;
    keys[slot] = key;
    expiresAt[slot] = now + ttlNanos;
    replies[slot] = reply;
    insert(key.hashCode(), slot);
    used++;
    live++;
    bytes += size(reply);
    while (live > 0
        && (live > maxEntries || bytes > maxBytes || isExpired(expiresAt[tail], now))) {
      forget(cellOf(tail));
    }
  }

  /**
   * The reply to repeat for a duplicate of a call that ended recently, {@link #NO_REPLY} if it had
   * none, or null when the call is not remembered (never seen, evicted or expired).
   */
  @Nullable
  synchronized Reply lookup(CallKey key) {
    int cell = find(key);
    if (cell < 0) {
      return null;
    }
    int slot = slotAt(cell);
    if (isExpired(expiresAt[slot], System.nanoTime())) {
      forget(cell);
      return null;
    }
    Reply reply = replies[slot];
    return reply == null ? NO_REPLY : reply;
  }

  synchronized int size() {
    return live;
  }

  private static boolean isExpired(long expiresAtNanos, long now) {
    return now - expiresAtNanos > 0;
  }

  private static long size(@Nullable Reply reply) {
    return reply == null ? ENTRY_BYTES : ENTRY_BYTES + reply.payload.length;
  }

  @GuardedBy("this")
  private int next(int slot) {
    int n = slot + 1;
    return n == keys.length ? 0 : n;
  }

  /** A full ring grows towards maxEntries, sheds its dead slots, or evicts its eldest entry. */
  @GuardedBy("this")
  private void makeRoom() {
    if (keys.length < maxEntries) {
      resize((int) Math.min(maxEntries, 2L * keys.length));
    } else if (live < used) {
      resize(keys.length);
    } else {
      forget(cellOf(tail));
    }
  }

  /** Removes the entry the index cell points to; the tail moves past dead slots. */
  @GuardedBy("this")
  private void forget(int cell) {
    int slot = slotAt(cell);
    bytes -= size(replies[slot]);
    keys[slot] = null;
    replies[slot] = null;
    live--;
    delete(cell);
    if (slot == tail) {
      while (used > 0 && keys[tail] == null) {
        tail = next(tail);
        used--;
      }
    }
  }

  /** New arrays of {@code slots} slots holding the live entries in order from slot 0. */
  @GuardedBy("this")
  private void resize(int slots) {
    CallKey[] oldKeys = keys;
    long[] oldExpiresAt = expiresAt;
    Reply[] oldReplies = replies;
    keys = new CallKey[slots];
    expiresAt = new long[slots];
    replies = new Reply[slots];
    // A power of two at least 1.5 times the slots, so the index stays at most two thirds full.
    int cells = Integer.highestOneBit(Math.max(4, slots + slots / 2 + 1) - 1) << 1;
    index = new long[cells];
    indexShift = Integer.numberOfLeadingZeros(cells) + 1;
    int n = 0;
    for (int i = 0, slot = tail; i < used; i++) {
      CallKey key = oldKeys[slot];
      if (key != null) {
        keys[n] = key;
        expiresAt[n] = oldExpiresAt[slot];
        replies[n] = oldReplies[slot];
        insert(key.hashCode(), n);
        n++;
      }
      slot = slot + 1 == oldKeys.length ? 0 : slot + 1;
    }
    tail = 0;
    used = n;
  }

  @GuardedBy("this")
  private int home(int hash) {
    // Fibonacci hashing: the top bits of the product depend on all of the hash's bits.
    return (hash * 0x9E3779B9) >>> indexShift;
  }

  @GuardedBy("this")
  private int slotAt(int cell) {
    return (int) index[cell] - 1;
  }

  /** The index cell of the key, or -1. */
  @GuardedBy("this")
  private int find(CallKey key) {
    int hash = key.hashCode();
    int mask = index.length - 1;
    for (int cell = home(hash); ; cell = (cell + 1) & mask) {
      long entry = index[cell];
      if (entry == 0) {
        return -1;
      }
      if ((int) (entry >>> 32) == hash && key.equals(keys[(int) entry - 1])) {
        return cell;
      }
    }
  }

  /** The index cell pointing at a live slot. */
  @GuardedBy("this")
  private int cellOf(int slot) {
    int mask = index.length - 1;
    long want = (long) keys[slot].hashCode() << 32 | (slot + 1L);
    for (int cell = home(keys[slot].hashCode()); ; cell = (cell + 1) & mask) {
      if (index[cell] == want) {
        return cell;
      }
    }
  }

  @GuardedBy("this")
  private void insert(int hash, int slot) {
    int mask = index.length - 1;
    int cell = home(hash);
    while (index[cell] != 0) {
      cell = (cell + 1) & mask;
    }
    index[cell] = (long) hash << 32 | (slot + 1L);
  }

  /**
   * Empties a cell, shifting back the cells after it that would no longer be found (Knuth's
   * deletion for linear probing), so the index needs no tombstones.
   */
  @GuardedBy("this")
  private void delete(int cell) {
    int mask = index.length - 1;
    int hole = cell;
    for (int j = (hole + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
      int home = home((int) (index[j] >>> 32));
      // The entry at j may fill the hole if the hole lies on its probe path, home to j.
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        index[hole] = index[j];
        hole = j;
      }
    }
    index[hole] = 0;
  }

  /** The ring's slots from its eldest entry to its newest, dead ones included (for tests). */
  synchronized int slotsInUse() {
    return used;
  }

  /** The ring's length: it grows by doubling up to maxEntries (for tests). */
  synchronized int ringLength() {
    return keys.length;
  }
}
