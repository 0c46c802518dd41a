package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.junit.jupiter.api.Test;

class RecentCallsTest {
  /** Longer than any run of this class, so no entry expires unless a test means it to. */
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);
  /** Expired as soon as it is remembered. */
  private static final long EXPIRED = -1;

  private static CallKey key(int i) {
    return new CallKey("r/t", new byte[] {(byte) i, (byte) (i >> 8)});
  }

  /**
   * Keys whose hashes are all equal: "Aa" and "BB" hash alike, so do topics made of them, and
   * the correlation is the same.
   */
  private static CallKey colliding(int i) {
    StringBuilder topic = new StringBuilder("r/");
    for (int bit = 0; bit < 10; bit++) {
      topic.append((i >> bit & 1) == 0 ? "Aa" : "BB");
    }
    return new CallKey(topic.toString(), new byte[] {7});
  }

  private static RecentCalls.Reply reply(int payloadBytes) {
    return new RecentCalls.Reply("r/t", new byte[payloadBytes], new PublishProperties());
  }

  private static void assertRemembered(RecentCalls recent, CallKey key) {
    assertNotNull(recent.lookup(key), key + " forgotten");
  }

  private static void assertForgotten(RecentCalls recent, CallKey key) {
    assertNull(recent.lookup(key), key + " remembered");
  }

  @Test
  void aDuplicateOfAUnaryCallGetsItsReplyAndOneOfAStreamNone() {
    RecentCalls recent = new RecentCalls(10, 1_000_000);
    RecentCalls.Reply reply = reply(1);
    recent.remember(key(1), reply, HOUR);
    recent.remember(key(2), null, HOUR);

    assertSame(reply, recent.lookup(key(1)));
    assertSame(reply, recent.lookup(key(1)), "a second duplicate gets the same reply");
    assertSame(RecentCalls.NO_REPLY, recent.lookup(key(2)));
    assertNull(recent.lookup(key(3)));
    assertEquals(2, recent.size());
  }

  @Test
  void boundedInEntriesOldestFirst() {
    RecentCalls recent = new RecentCalls(3, 10_000);
    for (int i = 0; i < 10; i++) {
      recent.remember(key(i), null, HOUR);
    }
    assertEquals(3, recent.size());
    for (int i = 0; i < 7; i++) {
      assertForgotten(recent, key(i));
    }
    for (int i = 7; i < 10; i++) {
      assertRemembered(recent, key(i));
    }
  }

  @Test
  void boundedInBytesOldestFirst() {
    // 964 bytes an entry (64 + its payload): two fit in 2,000.
    RecentCalls recent = new RecentCalls(100, 2_000);
    for (int i = 0; i < 10; i++) {
      recent.remember(key(i), reply(900), HOUR);
    }
    assertEquals(2, recent.size());
    assertForgotten(recent, key(7));
    assertRemembered(recent, key(8));
    assertRemembered(recent, key(9));

    // A big reply pushes out as many as it needs, itself last.
    recent.remember(key(10), reply(1_900), HOUR);
    assertEquals(1, recent.size());
    recent.remember(key(11), reply(5_000), HOUR);
    assertEquals(0, recent.size());
    assertForgotten(recent, key(11));
  }

  @Test
  void expiredEntriesAreForgotten() {
    RecentCalls recent = new RecentCalls(10, 10_000);
    recent.remember(key(1), null, EXPIRED);
    assertEquals(0, recent.size(), "the eldest entry goes as soon as it expired");
    assertForgotten(recent, key(1));

    // Behind a live eldest entry an expired one stays until it is looked up.
    recent.remember(key(2), null, HOUR);
    recent.remember(key(3), reply(10), EXPIRED);
    recent.remember(key(4), null, HOUR);
    assertEquals(3, recent.size());
    assertForgotten(recent, key(3));
    assertEquals(2, recent.size());
    assertRemembered(recent, key(2));
    assertRemembered(recent, key(4));
  }

  @Test
  void anExpiredEldestGoesWithTheNextRemember() {
    RecentCalls recent = new RecentCalls(10, 10_000);
    recent.remember(key(1), null, HOUR);
    recent.remember(key(2), null, EXPIRED);
    // key(1) is re-remembered as expired: key(2), expired too, becomes the eldest and goes.
    recent.remember(key(1), null, EXPIRED);
    assertEquals(0, recent.size());
  }

  @Test
  void aKeyRememberedAgainMovesToTheEndWithItsNewReply() {
    RecentCalls recent = new RecentCalls(3, 10_000);
    recent.remember(key(1), reply(10), HOUR);
    recent.remember(key(2), null, HOUR);
    recent.remember(key(3), null, HOUR);
    RecentCalls.Reply again = reply(20);
    recent.remember(key(1), again, HOUR);
    assertEquals(3, recent.size());

    recent.remember(key(4), null, HOUR);
    assertForgotten(recent, key(2));
    assertSame(again, recent.lookup(key(1)));
    assertRemembered(recent, key(3));
    assertRemembered(recent, key(4));

    recent.remember(key(5), null, HOUR);
    recent.remember(key(6), null, HOUR);
    assertForgotten(recent, key(1));
  }

  @Test
  void rememberingAgainCountsTheNewReplysBytesOnly() {
    // Each entry is 64 + 100 bytes; three fit in 500, not four.
    RecentCalls recent = new RecentCalls(100, 500);
    for (int round = 0; round < 50; round++) {
      recent.remember(key(1), reply(100), HOUR);
    }
    recent.remember(key(2), reply(100), HOUR);
    recent.remember(key(3), reply(100), HOUR);
    assertEquals(3, recent.size());
    recent.remember(key(4), reply(100), HOUR);
    assertEquals(3, recent.size());
    assertForgotten(recent, key(1));
  }

  @Test
  void theRingWrapsAroundManyTimes() {
    RecentCalls recent = new RecentCalls(5, 1_000_000);
    for (int i = 0; i < 23; i++) {
      recent.remember(key(i), null, HOUR);
    }
    assertEquals(5, recent.ringLength());
    assertEquals(5, recent.slotsInUse());
    for (int i = 0; i < 18; i++) {
      assertForgotten(recent, key(i));
    }
    for (int i = 18; i < 23; i++) {
      assertRemembered(recent, key(i));
    }
  }

  @Test
  void theRingGrowsToItsBoundKeepingTheOrder() {
    RecentCalls recent = new RecentCalls(1_000, 1_000_000);
    assertEquals(64, recent.ringLength(), "a quiet server holds a small ring");
    for (int i = 0; i < 1_000; i++) {
      recent.remember(key(i), null, HOUR);
    }
    assertEquals(1_000, recent.ringLength());
    assertEquals(1_000, recent.size());
    for (int i = 0; i < 1_000; i++) {
      assertRemembered(recent, key(i));
    }
    recent.remember(key(1_000), null, HOUR);
    assertForgotten(recent, key(0));
    assertRemembered(recent, key(1));
    assertEquals(1_000, recent.ringLength());
  }

  @Test
  void deadSlotsAreSkippedOrCompactedNotCountedAsEntries() {
    RecentCalls recent = new RecentCalls(4, 1_000_000);
    for (int i = 1; i <= 4; i++) {
      recent.remember(key(i), null, HOUR);
    }
    // key(2) leaves a dead slot in the middle of a full ring: the ring is compacted, no entry
    // is evicted for it.
    recent.remember(key(2), null, HOUR);
    assertEquals(4, recent.size());
    assertEquals(4, recent.slotsInUse());
    for (int i = 1; i <= 4; i++) {
      assertRemembered(recent, key(i));
    }
    // The order is now 1, 3, 4, 2.
    recent.remember(key(5), null, HOUR);
    assertForgotten(recent, key(1));
    recent.remember(key(6), null, HOUR);
    assertForgotten(recent, key(3));
    assertRemembered(recent, key(4));
    assertRemembered(recent, key(2));

    // A dead eldest slot is skipped without a compaction.
    RecentCalls skipping = new RecentCalls(3, 1_000_000);
    skipping.remember(key(1), null, HOUR);
    skipping.remember(key(2), null, EXPIRED);
    skipping.remember(key(3), null, HOUR);
    assertForgotten(skipping, key(2));
    assertEquals(3, skipping.slotsInUse());
    skipping.remember(key(1), null, HOUR); // the eldest dies; the dead slot after it goes too
    assertEquals(2, skipping.slotsInUse());
    assertEquals(2, skipping.size());
  }

  @Test
  void keysWithEqualHashesAreToldApart() {
    RecentCalls recent = new RecentCalls(100, 1_000_000);
    assertEquals(colliding(0).hashCode(), colliding(1_000).hashCode());
    for (int i = 0; i < 300; i++) {
      recent.remember(colliding(i), i % 2 == 0 ? null : reply(i), HOUR);
      recent.remember(key(i), null, HOUR);
    }
    assertEquals(100, recent.size());
    for (int i = 0; i < 250; i++) {
      assertForgotten(recent, colliding(i));
      assertForgotten(recent, key(i));
    }
    for (int i = 250; i < 300; i++) {
      RecentCalls.Reply found = recent.lookup(colliding(i));
      assertNotNull(found, "colliding key " + i);
      assertEquals(i % 2 == 0 ? 0 : i, found.payload.length);
      assertRemembered(recent, key(i));
    }
    // Forgetting from the middle of the collision chain leaves the rest findable.
    recent.remember(colliding(260), null, EXPIRED);
    assertForgotten(recent, colliding(260));
    for (int i = 250; i < 300; i++) {
      if (i != 260) {
        assertRemembered(recent, colliding(i));
      }
    }
  }

  /**
   * Random operations on a few keys, half of them colliding, against the LinkedHashMap this
   * class replaced (kept below as the model): every lookup and size agrees. Seeded, so a failure
   * repeats.
   */
  @Test
  void behavesAsTheLinkedHashMapItReplaced() {
    for (long seed = 1; seed <= 20; seed++) {
      Random random = new Random(seed);
      int maxEntries = 1 + random.nextInt(70);
      long maxBytes = 64L * maxEntries + random.nextInt(2_000);
      RecentCalls recent = new RecentCalls(maxEntries, maxBytes);
      Model model = new Model(maxEntries, maxBytes);
      List<CallKey> keys = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        keys.add(i % 2 == 0 ? key(i) : colliding(i));
      }
      for (int op = 0; op < 5_000; op++) {
        CallKey key = keys.get(random.nextInt(keys.size()));
        String where = "seed " + seed + ", op " + op + ", " + key;
        if (random.nextInt(3) == 0) {
          assertSame(model.lookup(key), recent.lookup(key), where);
        } else {
          RecentCalls.Reply reply = random.nextBoolean() ? null : reply(random.nextInt(300));
          long ttl = random.nextInt(20) == 0 ? EXPIRED : HOUR;
          model.remember(key, reply, ttl);
          recent.remember(key, reply, ttl);
        }
        assertEquals(model.entries.size(), recent.size(), where);
      }
    }
  }

  /** The former RecentCalls: a LinkedHashMap evicting its eldest. */
  private static final class Model {
    private final int maxEntries;
    private final long maxBytes;
    private final LinkedHashMap<CallKey, Object[]> entries = new LinkedHashMap<>();
    private long bytes;

    Model(int maxEntries, long maxBytes) {
      this.maxEntries = maxEntries;
      this.maxBytes = maxBytes;
    }

    private static long size(Object[] entry) {
      RecentCalls.Reply reply = (RecentCalls.Reply) entry[1];
      return reply == null ? 64 : 64 + reply.payload.length;
    }

    private static boolean expired(Object[] entry, long now) {
      return now - (long) entry[0] > 0;
    }

    void remember(CallKey key, @Nullable RecentCalls.Reply reply, long ttl) {
      long now = System.nanoTime();
      Object[] entry = {now + ttl, reply};
      Object[] old = entries.remove(key);
      if (old != null) {
        bytes -= size(old);
      }
      entries.put(key, entry);
      bytes += size(entry);
      Iterator<Map.Entry<CallKey, Object[]>> it = entries.entrySet().iterator();
      while (it.hasNext()) {
        Object[] oldest = it.next().getValue();
        if (entries.size() <= maxEntries && bytes <= maxBytes && !expired(oldest, now)) {
          break;
        }
        bytes -= size(oldest);
        it.remove();
      }
    }

    @Nullable
    RecentCalls.Reply lookup(CallKey key) {
      Object[] entry = entries.get(key);
      if (entry == null) {
        return null;
      }
      if (expired(entry, System.nanoTime())) {
        entries.remove(key);
        bytes -= size(entry);
        return null;
      }
      return entry[1] == null ? RecentCalls.NO_REPLY : (RecentCalls.Reply) entry[1];
    }
  }
}
