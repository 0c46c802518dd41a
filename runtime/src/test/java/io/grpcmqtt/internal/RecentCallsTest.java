package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecentCallsTest {
  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

  private static CallKey key(int i) {
    return new CallKey("r/t", new byte[] {(byte) i, (byte) (i >> 8)});
  }

  @Test
  void remembersRepliesAndStreamMarkers() {
    RecentCalls recent = new RecentCalls(10, 1_000_000);
    RecentCalls.Reply reply = new RecentCalls.Reply("r/t", new byte[] {1}, new PublishProperties());
    recent.remember(key(1), reply, MINUTE);
    recent.remember(key(2), null, MINUTE);

    RecentCalls.Reply[] found = new RecentCalls.Reply[1];
    assertTrue(recent.lookup(key(1), found));
    assertSame(reply, found[0]);
    found[0] = null;
    assertTrue(recent.lookup(key(2), found));
    assertNull(found[0]);
    assertFalse(recent.lookup(key(3), found));
  }

  @Test
  void boundedInEntriesAndBytesOldestFirst() {
    RecentCalls recent = new RecentCalls(3, 10_000);
    for (int i = 0; i < 10; i++) {
      recent.remember(key(i), null, MINUTE);
    }
    assertEquals(3, recent.size());
    RecentCalls.Reply[] found = new RecentCalls.Reply[1];
    assertFalse(recent.lookup(key(0), found));
    assertTrue(recent.lookup(key(9), found));

    RecentCalls bytes = new RecentCalls(100, 2_000);
    for (int i = 0; i < 10; i++) {
      bytes.remember(key(i), new RecentCalls.Reply("r/t", new byte[900], new PublishProperties()), MINUTE);
    }
    assertEquals(2, bytes.size());
  }

  @Test
  void expiredEntriesAreForgotten() {
    RecentCalls recent = new RecentCalls(10, 10_000);
    recent.remember(key(1), null, -1);
    assertFalse(recent.lookup(key(1), new RecentCalls.Reply[1]));
  }
}
