package io.grpcmqtt.bench;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import javax.annotation.Nullable;

/**
 * The floor: MQTT 5 request/response with nothing else, on one client library. A requester
 * publishes with a Response Topic and 8 bytes of Correlation Data; a responder republishes the
 * payload to the Response Topic with the same Correlation Data, from the library's delivery
 * thread. The responder runs here, or in another process ({@link #responder}, for
 * {@code --separate}).
 *
 * <p>With a {@link WireContract}, the contract floor: the same calls carrying what grpc-mqtt's
 * unary calls carry, on its topics, with its hand-offs if the contract's threading says so.
 */
final class RawRequestResponse implements AutoCloseable {
  final RawMqtt.Library library;
  /** The impl name of its lines. */
  final String impl;
  @Nullable private final WireContract wire;
  /** Where replies are handed to complete their calls; null: on the delivery thread. */
  @Nullable private final ExecutorService executor;
  private final RawMqtt requester;
  @Nullable private final RawMqtt responder;
  private final String requestTopic;
  private final String replyTopic;
  private final int qos;
  private final ConcurrentHashMap<Long, Runnable> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  /** Requester and responder in this process. */
  RawRequestResponse(RawMqtt.Library library, String uri, int qos) throws Exception {
    this(library, uri, qos, null);
  }

  /**
   * With {@code runId} null, requester and responder in this process; else only the requester,
   * calling the responder another process started with {@link #responder} for the same run id.
   */
  RawRequestResponse(RawMqtt.Library library, String uri, int qos, @Nullable String runId)
      throws Exception {
    this(library, null, uri, qos, runId);
  }

  /**
   * The contract floor {@code wire} (the bare floor of {@code library} if null); with
   * {@code runId}, its responder is the one another process started for the same run id.
   */
  RawRequestResponse(RawMqtt.Library library, @Nullable WireContract wire, String uri, int qos,
      @Nullable String runId) throws Exception {
    this.library = library;
    this.wire = wire;
    this.impl = wire == null ? library.impl : wire.impl();
    this.executor = wire == null ? null : wire.executor();
    this.qos = qos;
    this.requester = library.connect(uri, "req");
    if (wire == null) {
      this.requestTopic = requestTopic(library, runId == null ? requester.id() : runId);
      this.replyTopic = "bench/raw/" + requester.id() + "/reply";
      this.responder = runId == null ? responder(library, uri, qos, requestTopic) : null;
    } else {
      this.requestTopic = wire.requestTopic();
      this.replyTopic = wire.replyTopic(requester.id());
      this.responder = runId == null ? wire.responder(uri, qos) : null;
    }
    requester.subscribe(replyTopic, qos, this::replied);
  }

  /** The request topic of a floor's responder. */
  static String requestTopic(RawMqtt.Library library, String runId) {
    return "bench/raw/" + runId + "-" + library.name().toLowerCase(Locale.ROOT) + "/req";
  }

  /** Connects a responder that echoes every request on {@code requestTopic}. */
  static RawMqtt responder(RawMqtt.Library library, String uri, int qos, String requestTopic)
      throws Exception {
    RawMqtt r = library.connect(uri, "rsp");
    r.subscribe(requestTopic, qos, m -> r.publish(m.responseTopic(), m.payload(), qos, null,
        m.correlation(), () -> {}, t -> {}));
    return r;
  }

  private void replied(RawMqtt.Received reply) {
    byte[] corr = reply.correlation();
    if (corr != null && corr.length == 8) {
      // A contract reply ends its call only with a status.
      if (wire != null && reply.userProperty("grpc-status") == null) {
        return;
      }
      Runnable done = pending.remove(ByteBuffer.wrap(corr).getLong());
      if (done != null) {
        if (executor == null) {
          done.run();
        } else {
          executor.execute(done);
        }
      }
    }
  }

  /** The payload its calls of {@code size} bytes send: the bytes, or their protobuf message. */
  byte[] payload(int size) {
    return wire == null ? new byte[size] : WireContract.message(size);
  }

  ClosedLoop.Call call(byte[] payload) {
    return (done, failed) -> {
      long id = ids.incrementAndGet();
      long deadline = wire == null ? 0 : System.nanoTime() + WireContract.DEADLINE_NANOS;
      pending.put(id, done);
      requester.publish(requestTopic, payload, qos, replyTopic,
          ByteBuffer.allocate(8).putLong(id).array(),
          wire == null ? null : WireContract.request(deadline - System.nanoTime()), () -> {},
          t -> {
            if (pending.remove(id) != null) {
              failed.accept(t);
            }
          });
    };
  }

  /** Requests still unanswered (lost QoS 0 messages, or stragglers after a run). */
  int pendingCount() {
    return pending.size();
  }

  /** Forgets unanswered requests, so a lost QoS 0 request does not leak into the next run. */
  void clearPending() {
    pending.clear();
  }

  @Override
  public void close() {
    requester.close();
    if (responder != null) {
      responder.close();
    }
  }
}
