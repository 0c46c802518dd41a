package io.grpcmqtt.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;

/**
 * Reassembles chunked frames ({@code grpc-chunk}) of one direction of one call, below the
 * sequence and reorder logic: what it returns is a whole frame, which then takes its place by
 * {@code grpc-seq} like any other. Duplicate chunks (QoS 1) are dropped; chunks may arrive in any
 * order and interleaved with other frames. Memory is bounded by the message size limit, by a few
 * incomplete messages per call, and by the connection's {@link ReassemblyBudget}. Not
 * thread-safe: callers hold the call's lock, and call {@link #clear} when the call ends.
 */
final class ChunkAssembler {
  /** Incomplete messages a call may have at once; more means a peer that does not finish them. */
  static final int MAX_INCOMPLETE = 4;

  /** The status text of a message above the size limit. */
  interface TooLarge {
    String describe(int size, int max);
  }

  private final ReassemblyBudget budget;
  private final String what;
  private final TooLarge tooLarge;
  private final long timeoutNanos;
  private final Runnable check;
  private final RuntimeExecutors.Lease timer;
  private final Map<Long, Partial> partials = new HashMap<>(2);
  private boolean checkScheduled;

  /**
   * @param what "request" or "response": the messages' name in status texts
   * @param tooLarge the status text of a message above the call's limit
   * @param timeoutNanos how long an incomplete message may wait for its next chunk
   * @param check run (on a timer thread) once the oldest incomplete message may have waited that
   *     long; it takes the call's lock and calls {@link #stalled}
   * @param timer whose scheduler runs {@code check}
   */
  ChunkAssembler(ReassemblyBudget budget, String what, TooLarge tooLarge, long timeoutNanos,
      Runnable check, RuntimeExecutors.Lease timer) {
    this.budget = budget;
    this.what = what;
    this.tooLarge = tooLarge;
    this.timeoutNanos = timeoutNanos;
    this.check = check;
    this.timer = timer;
  }

  private static final class Partial {
    final int count;
    final int size;
    final Map<Integer, byte[]> chunks = new HashMap<>();
    @Nullable Frame first;
    long received;
    long held;
    long lastChunkNanos;

    Partial(int count, int size) {
      this.count = count;
      this.size = size;
    }
  }

  /**
   * Takes one chunk; returns the whole frame once its last chunk arrived, else null (a chunk of an
   * incomplete frame, or a duplicate).
   *
   * @param maxMessageSize the call's limit for one message
   * @throws StatusException INVALID_ARGUMENT for chunk headers that contradict each other or the
   *     chunks' sizes, RESOURCE_EXHAUSTED for a message above the limit, too many incomplete
   *     messages, or a connection whose reassembly budget is used up
   */
  @Nullable
  Frame offer(Frame chunk, int maxMessageSize) throws StatusException {
    Partial p = partials.get(chunk.seq);
    if (p == null) {
      if (chunk.chunkSize > maxMessageSize) {
        throw Status.RESOURCE_EXHAUSTED.withDescription(
            tooLarge.describe(chunk.chunkSize, maxMessageSize)).asException();
      }
      if (partials.size() >= MAX_INCOMPLETE) {
        throw Status.RESOURCE_EXHAUSTED.withDescription(
            "more than " + MAX_INCOMPLETE + " chunked " + what + " messages incomplete at once")
            .asException();
      }
      p = new Partial(chunk.chunkCount, chunk.chunkSize);
      partials.put(chunk.seq, p);
    } else if (p.count != chunk.chunkCount || p.size != chunk.chunkSize) {
      throw Status.INVALID_ARGUMENT.withDescription(
          "inconsistent " + Wire.CHUNK + " '" + chunk.chunkIndex + "/" + chunk.chunkCount + "/"
              + chunk.chunkSize + "' in a message of " + p.count + " chunks and " + p.size
              + " bytes").asException();
    }
    if (p.chunks.containsKey(chunk.chunkIndex)) {
      return null;
    }
    int length = chunk.payload.length;
    if (length == 0 || p.received + length > p.size) {
      throw Status.INVALID_ARGUMENT.withDescription(
          "chunk " + chunk.chunkIndex + " of a " + p.size + "-byte message holds "
              + (length == 0 ? "nothing" : "more than the announced size")).asException();
    }
    long cost = (long) length + ReassemblyBudget.CHUNK_OVERHEAD;
    if (!budget.tryAcquire(cost)) {
      throw Status.RESOURCE_EXHAUSTED.withDescription(
          "the connection holds " + budget.limit() + " bytes of incomplete chunked messages,"
              + " its limit").asException();
    }
    p.held += cost;
    p.chunks.put(chunk.chunkIndex, chunk.payload);
    p.received += length;
    p.lastChunkNanos = System.nanoTime();
    if (chunk.chunkIndex == 0) {
      p.first = chunk;
    }
    if (p.chunks.size() < p.count) {
      scheduleCheck();
      return null;
    }
    partials.remove(chunk.seq);
    budget.release(p.held);
    if (p.received != p.size) {
      throw Status.INVALID_ARGUMENT.withDescription(
          "the chunks of a message announced as " + p.size + " bytes hold " + p.received)
          .asException();
    }
    byte[] whole = new byte[p.size];
    int offset = 0;
    for (int i = 0; i < p.count; i++) {
      byte[] part = p.chunks.get(i);
      System.arraycopy(part, 0, whole, offset, part.length);
      offset += part.length;
    }
    return p.first.withPayload(whole);
  }

  /**
   * What {@link #check} asks: a description of the incomplete message that has waited longer than
   * the timeout for its next chunk, or null when none has (the check is then scheduled again while
   * messages are incomplete).
   */
  @Nullable
  String stalled() {
    checkScheduled = false;
    long now = System.nanoTime();
    for (Partial p : partials.values()) {
      if (now - p.lastChunkNanos >= timeoutNanos) {
        return "a chunked " + what + " message has had " + p.chunks.size() + " of its " + p.count
            + " chunks for " + TimeUnit.NANOSECONDS.toMillis(now - p.lastChunkNanos)
            + " ms: the rest did not arrive";
      }
    }
    scheduleCheck();
    return null;
  }

  private void scheduleCheck() {
    if (checkScheduled || partials.isEmpty()) {
      return;
    }
    checkScheduled = true;
    long now = System.nanoTime();
    long delay = Long.MAX_VALUE;
    for (Partial p : partials.values()) {
      delay = Math.min(delay, p.lastChunkNanos + timeoutNanos - now);
    }
    timer.schedule(check, Math.max(delay, 1_000_000), TimeUnit.NANOSECONDS);
  }

  /** Drops every incomplete message and returns its memory to the connection's budget. */
  void clear() {
    for (Iterator<Partial> it = partials.values().iterator(); it.hasNext(); ) {
      budget.release(it.next().held);
      it.remove();
    }
  }
}
