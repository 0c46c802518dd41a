package io.grpcmqtt.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.internal.StatsTraceContext;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Function;
import javax.annotation.Nullable;

/**
 * What one call receives from its peer, up to the application: chunks made whole, frames put back
 * in sequence order (QoS 1 duplicates dropped), messages held to the size limit and to the credit
 * this side granted, queued until the application asks for them, and the credit granted again as
 * it reads. The client and the server stream share it; what a frame means (headers, status,
 * half-close) stays theirs. Not thread-safe: the stream's lock guards it.
 */
final class InboundMessages {
  /** The stream that owns it: its lock guards this, and a stalled reassembly fails its call. */
  interface Owner {
    /**
     * Called under the owner's lock with the description of a chunked message whose rest did not
     * arrive in time; fails the call.
     */
    void reassemblyStalled(String description);
  }

  /** The stream, and its lock. */
  private final Owner owner;
  private final StreamTasks sync;
  private final String peer;
  private final ChunkAssembler.TooLarge tooLarge;
  private final int window;
  private final long firstSeq;
  /** Created by the first numbered frame: a unary call's reply and request have none. */
  @Nullable private SequenceBuffer<Frame> reorder;
  private final Function<Runnable, ChunkAssembler> assemblers;
  /** Created by the first chunk: most calls never receive one. */
  @Nullable private ChunkAssembler chunks;
  /**
   * The first message waiting, without a queue: a unary call's side only ever holds one (the
   * request, or the response).
   */
  @Nullable private byte[] head;
  /**
   * The messages after {@link #head}: created by a second message waiting, dropped once all are
   * read. An idle stream holds none.
   */
  @Nullable private ArrayDeque<byte[]> queue;
  private final StatsTraceContext stats;
  private int maxSize;
  private int requested;
  private long delivered;
  private long creditGranted;
  /** Streamed messages received; never more than {@link #creditGranted}. */
  private long received;
  private boolean ended;

  /**
   * @param owner the stream, whose lock guards this and is held while a stalled reassembly is
   *     reported ({@link Owner#reassemblyStalled})
   * @param sync drained after a stalled reassembly was reported, outside the lock
   * @param firstSeq the sequence number of the peer's first numbered frame
   * @param peer "client" or "server": who sends, in status texts
   * @param tooLarge the status text of a message above the size limit, worded for this side
   * @param assemblers the transport's reassembly (its budget and limits) for a given check,
   *     asked once, when the call needs it
   */
  InboundMessages(
      Owner owner,
      StreamTasks sync,
      StatsTraceContext stats,
      long firstSeq,
      int window,
      int maxSize,
      String peer,
      ChunkAssembler.TooLarge tooLarge,
      Function<Runnable, ChunkAssembler> assemblers) {
    this.owner = owner;
    this.sync = sync;
    this.stats = stats;
    this.window = window;
    this.maxSize = maxSize;
    this.peer = peer;
    this.tooLarge = tooLarge;
    this.firstSeq = firstSeq;
    this.assemblers = assemblers;
  }

  private ChunkAssembler chunks() {
    if (chunks == null) {
      chunks = assemblers.apply(this::checkReassembly);
    }
    return chunks;
  }

  // Whenever head is null, nothing waits behind it: queue is null or empty.
  private void enqueue(byte[] payload) {
    if (head == null) {
      head = payload;
      return;
    }
    if (queue == null) {
      queue = new ArrayDeque<>(2);
    }
    queue.add(payload);
  }

  /** The oldest waiting message, {@link #head}; the next one, if any, takes its place. */
  private byte[] poll() {
    byte[] message = head;
    head = queue == null ? null : queue.poll();
    return message;
  }

  void setMaxSize(int maxSize) {
    this.maxSize = maxSize;
  }

  int maxSize() {
    return maxSize;
  }

  /**
   * The frame itself, or for a chunk the whole frame once its last chunk arrived; null while the
   * message is incomplete and for a duplicate chunk.
   *
   * @throws StatusException from {@link ChunkAssembler#offer}: INVALID_ARGUMENT for chunks that
   *     contradict each other, RESOURCE_EXHAUSTED for a message or reassembly above its limit
   */
  @Nullable
  Frame whole(Frame frame) throws StatusException {
    if (!frame.isChunk()) {
      return frame;
    }
    if (frame.hasSeq() && isDuplicate(frame.seq)) {
      return null;
    }
    return chunks().offer(frame, maxSize);
  }

  private boolean isDuplicate(long seq) {
    return reorder == null ? seq < firstSeq : reorder.isDuplicate(seq);
  }

  /**
   * Takes a numbered frame into the reorder buffer; false for a duplicate.
   *
   * @throws StatusException RESOURCE_EXHAUSTED when the peer sent beyond the window
   */
  boolean offer(Frame frame) throws StatusException {
    if (reorder == null) {
      reorder = new SequenceBuffer<>(firstSeq, window + 8);
    }
    switch (reorder.offer(frame.seq, frame)) {
      case DUPLICATE:
        return false;
      case OVERFLOW:
        throw beyondWindow();
      default:
        return true;
    }
  }

  /** The next frame in sequence order, or null while it has not arrived. */
  @Nullable
  Frame next() {
    return reorder == null ? null : reorder.poll();
  }

  /**
   * Queues a message of the stream of messages, within the credit granted.
   *
   * @throws StatusException RESOURCE_EXHAUSTED beyond the credit or the size limit
   */
  void addStreamed(byte[] payload) throws StatusException {
    if (++received > creditGranted) {
      throw beyondWindow();
    }
    add(payload);
  }

  /** Queues the message the request PUBLISH carried, which the transport held to the limit. */
  void addFirst(byte[] payload) {
    enqueue(payload);
  }

  /**
   * Queues a message that credit does not cover (a single one, or the first of a call).
   *
   * @throws StatusException RESOURCE_EXHAUSTED above the size limit
   */
  void add(byte[] payload) throws StatusException {
    if (payload.length > maxSize) {
      throw Status.RESOURCE_EXHAUSTED.withDescription(
          tooLarge.describe(payload.length, maxSize)).asException();
    }
    enqueue(payload);
  }

  private StatusException beyondWindow() {
    return Status.RESOURCE_EXHAUSTED.withDescription(
        peer + " sent beyond the flow-control window of " + window + " messages").asException();
  }

  /** The application asked for {@code count} more messages. */
  void request(int count) {
    requested += count;
  }

  /**
   * The next queued message the application asked for, traced as read; null when it asked for
   * none or none waits. The stream hands each one on.
   */
  @Nullable
  byte[] nextToDeliver() {
    if (requested <= 0 || head == null) {
      if (queue != null && queue.isEmpty()) {
        queue = null; // an open stream that has read everything holds no queue
      }
      return null;
    }
    requested--;
    byte[] message = poll();
    int seq = (int) delivered++;
    stats.inboundMessage(seq);
    stats.inboundWireSize(message.length);
    stats.inboundUncompressedSize(message.length);
    stats.inboundMessageRead(seq, message.length, message.length);
    return message;
  }

  /** Whether every received message has been delivered. */
  boolean drained() {
    return head == null;
  }

  /** The credit of a call's opening: a window of messages. */
  long openCredit() {
    creditGranted = window;
    return creditGranted;
  }

  /**
   * The credit to grant now, or -1: granted again once the application has read half a window,
   * so the peer always has room and one credit frame covers many messages.
   */
  long creditDue() {
    long target = delivered + window;
    if (target - creditGranted >= Math.max(1, window / 2)) {
      creditGranted = target;
      return target;
    }
    return -1;
  }

  /** The user properties of a frame that grants the peer credit up to {@code credit} messages. */
  static List<MqttUserProperty> creditFrame(long credit) {
    List<MqttUserProperty> props = Publishes.control(Wire.CTL_CREDIT);
    props.add(new MqttUserProperty(Wire.CREDIT, Long.toString(credit)));
    return props;
  }

  /** The call ended: drops what is queued and returns held chunks to the connection's budget. */
  void clear() {
    ended = true;
    head = null;
    if (queue != null) {
      queue.clear();
    }
    if (chunks != null) {
      chunks.clear();
    }
  }

  /** A chunked message stopped arriving: once its reassembly timed out, the call fails. */
  private void checkReassembly() {
    synchronized (owner) {
      if (!ended) {
        String stalled = chunks().stalled();
        if (stalled != null) {
          owner.reassemblyStalled(stalled);
        }
      }
    }
    sync.drain();
  }
}
