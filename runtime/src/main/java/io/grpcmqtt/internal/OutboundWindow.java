package io.grpcmqtt.internal;

import io.grpc.internal.StatsTraceContext;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.ArrayDeque;
import java.util.List;
import javax.annotation.Nullable;

/**
 * What one call sends to its peer, held to the peer's credit: frames wait in order, each gets the
 * next {@code grpc-seq} as it goes, and messages go only while the peer has granted room for
 * them (control frames queued behind a message wait for it, so the order holds). Tracks when the
 * sending side becomes ready again, so the application hears {@code onReady} once per change. The
 * client and the server stream share it; what they send stays theirs. Not thread-safe: the
 * stream's lock guards it.
 */
final class OutboundWindow {
  /** One frame waiting to go. */
  static final class Out {
    /** Takes a credit: the peer counts it against the window it granted. */
    static final int MESSAGE = 0;
    /** Goes in sequence order, free of credit (headers, half-close). */
    static final int CONTROL = 1;
    /** The call's last frame, with its status. */
    static final int FINAL = 2;

    final int kind;
    final byte[] payload;
    final List<MqttUserProperty> props;

    Out(int kind, byte[] payload, List<MqttUserProperty> props) {
      this.kind = kind;
      this.payload = payload;
      this.props = props;
    }
  }

  /** Created by the first frame that waits: an idle stream has none. */
  @Nullable private ArrayDeque<Out> pending;
  private final StatsTraceContext stats;
  private boolean open;
  /** Messages the peer allows in all; {@link Long#MAX_VALUE} until it grants any, if unbounded. */
  private long credit;
  private long sent;
  private long nextSeq;
  private int maxSize;
  private int traced;
  private boolean wasReady;
  /** Times the sender ran out of the peer's credit, and how long it waited in all. */
  private int creditWaits;
  private long creditWaitNanos;
  /** When the current wait for credit began, or 0. */
  private long waitingSince;

  /**
   * @param firstSeq the sequence number of this side's first numbered frame
   * @param open whether frames may go at once (else from {@link #open()}: the client waits for the
   *     server's accept, which names where they go)
   */
  OutboundWindow(StatsTraceContext stats, long firstSeq, boolean open, long credit, int maxSize) {
    this.stats = stats;
    this.nextSeq = firstSeq;
    this.open = open;
    this.credit = credit;
    this.maxSize = maxSize;
  }

  /** Frames may go from now on. */
  void open() {
    open = true;
  }

  /** The peer allows {@code total} messages in all (credit only grows, or replaces unbounded). */
  void grant(long total) {
    credit = credit == Long.MAX_VALUE ? total : Math.max(credit, total);
  }

  /** Until the peer grants credit, messages go without limit. */
  void unbounded() {
    credit = Long.MAX_VALUE;
  }

  void setMaxSize(int maxSize) {
    this.maxSize = maxSize;
  }

  int maxSize() {
    return maxSize;
  }

  /** Whether a message of {@code length} bytes is above the size limit. */
  boolean tooLarge(int length) {
    return length > maxSize;
  }

  /** Counts an outgoing message for the call's tracers (as grpc-java's framer does). */
  void trace(int length) {
    int seq = traced++;
    stats.outboundMessage(seq);
    stats.outboundWireSize(length);
    stats.outboundUncompressedSize(length);
    stats.outboundMessageSent(seq, length, length);
  }

  void add(Out frame) {
    if (pending == null) {
      pending = new ArrayDeque<>(2);
    }
    pending.add(frame);
  }

  /**
   * The next frame to send, stamped with its sequence number, or null when none may go now (none
   * waits, the window is not open yet, or the next is a message beyond the peer's credit).
   */
  @Nullable
  Out nextToSend() {
    Out out = pending == null ? null : pending.peek();
    if (!open || out == null || (out.kind == Out.MESSAGE && sent >= credit)) {
      return null;
    }
    pending.poll();
    out.props.add(new MqttUserProperty(Wire.SEQ, Long.toString(nextSeq++)));
    if (out.kind == Out.MESSAGE) {
      sent++;
    }
    return out;
  }

  /** The next sequence number, for a frame sent past the queue (an error ending the call). */
  long nextSeq() {
    return nextSeq++;
  }

  /** Whether the peer has room for one more message beyond those sent and waiting. */
  boolean hasRoom() {
    return open && sent + (pending == null ? 0 : pending.size()) < credit;
  }

  boolean hasPending() {
    return pending != null && !pending.isEmpty();
  }

  /**
   * Records whether the stream is ready now; true when it just became so, which the application
   * hears as {@code onReady}.
   */
  boolean becameReady(boolean ready) {
    boolean became = ready && !wasReady;
    // Timed at the changes only: at most twice per grant, never per message.
    if (!ready && wasReady && open && !hasRoom()) {
      creditWaits++;
      waitingSince = System.nanoTime();
    } else if (became && waitingSince != 0) {
      creditWaitNanos += System.nanoTime() - waitingSince;
      waitingSince = 0;
    }
    wasReady = ready;
    return became;
  }

  /** How often the sender ran out of the peer's credit (a stream that waits on its reader). */
  int creditWaits() {
    return creditWaits;
  }

  /** The time the sender spent out of credit, up to now. */
  long creditWaitNanos() {
    return creditWaitNanos + (waitingSince == 0 ? 0 : System.nanoTime() - waitingSince);
  }

  /** The call is over: nothing more goes. */
  void clear() {
    if (pending != null) {
      pending.clear();
    }
  }
}
