package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.internal.StatsTraceContext;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class OutboundWindowTest {
  private static OutboundWindow.Out message() {
    return new OutboundWindow.Out(OutboundWindow.Out.MESSAGE, new byte[1], new ArrayList<>(1));
  }

  /** Sends what the window lets out and records readiness, as a stream's flush does. */
  private static boolean flush(OutboundWindow window) {
    while (window.nextToSend() != null) {
      // sent
    }
    return window.becameReady(window.hasRoom());
  }

  @Test
  void countsEachTimeTheSenderRunsOutOfCreditAndTellsReadyOncePerGrant() {
    OutboundWindow window = new OutboundWindow(StatsTraceContext.NOOP, 1, true, 2, 100);
    assertTrue(flush(window), "ready at the start");
    assertEquals(0, window.creditWaits());

    window.add(message());
    assertFalse(flush(window), "still ready: no new onReady");
    window.add(message());
    assertFalse(flush(window));
    assertFalse(window.hasRoom());
    assertEquals(1, window.creditWaits(), "the second message used the last credit");

    window.add(message());
    assertFalse(flush(window));
    assertNull(window.nextToSend(), "a message beyond the credit waits");
    assertEquals(1, window.creditWaits(), "still the same wait");

    window.grant(4);
    assertTrue(flush(window), "the grant makes it ready again: one onReady");
    assertEquals(1, window.creditWaits());
    assertTrue(window.creditWaitNanos() >= 0);

    window.add(message());
    assertFalse(flush(window));
    assertEquals(2, window.creditWaits(), "out of credit again at 4");
  }

  @Test
  void aWindowNotYetOpenIsNoWaitForCredit() {
    OutboundWindow window = new OutboundWindow(StatsTraceContext.NOOP, 1, false, 0, 100);
    window.becameReady(true);
    window.add(message());
    assertFalse(flush(window));
    assertEquals(0, window.creditWaits(), "the client waits for the accept, not for credit");
    window.open();
    window.grant(1);
    assertNotNull(window.nextToSend());
  }
}
