package io.grpcmqtt.internal;

import io.grpc.Attributes;
import io.grpc.Compressor;
import io.grpc.Decompressor;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.internal.ServerStream;
import io.grpc.internal.ServerStreamListener;
import io.grpc.internal.StatsTraceContext;
import io.grpc.internal.StreamListener;
import io.grpcmqtt.mapper.codec.PayloadFormat;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server half of one call. A unary response is one PUBLISH at close; streamed responses are
 * numbered PUBLISHes sent within the client's credit, then a final one with the status.
 */
final class MqttServerStream implements ServerStream, InboundMessages.Owner {
  private static final Logger log = LoggerFactory.getLogger(MqttServerStream.class);

  private final MqttServerTransport transport;
  @Nullable final CallKey key;
  @Nullable private final String responseTopic;
  @Nullable private final MethodRegistry.Entry entry;
  private final PayloadFormat format;
  /** How the call's last frame is addressed and encoded (MQTT 5, or the 3.1.1 binding's). */
  private final ReplyEncoding replies;
  private final boolean requestStreaming;
  private final boolean responseStreaming;
  /** Bound to the Response Topic, the Correlation Data and the content type of the request. */
  private final StreamPublisher publisher;
  private final StatsTraceContext stats;
  private final long ttlNanos;
  /** The server's default deadline when the request set none (else 0). */
  private final long serverDefaultNanos;
  final long startNanos = System.nanoTime();

  /** Written under the stream's lock, read by the transport's duplicate check. */
  @Nullable private volatile RecentCalls.Reply sentReply;
  /** The listener calls, run in order outside the stream's lock. */
  private final StreamTasks sync = new StreamTasks(log);

  private ServerStreamListener listener;

  /** This call's attributes, made when gRPC first asks. */
  @Nullable private Attributes attributes;

  @GuardedBy("this")
  private final InboundMessages messagesIn;

  @GuardedBy("this")
  private boolean halfCloseReceived;

  @GuardedBy("this")
  private boolean halfCloseDelivered;

  /** Streamed headers, responses and the final status, within the client's credit. */
  @GuardedBy("this")
  private final OutboundWindow messagesOut;

  @GuardedBy("this")
  private Metadata unaryHeaders;

  @GuardedBy("this")
  private byte[] unaryResponse;

  /** Close (or cancel) was called: nothing more is sent. */
  @GuardedBy("this")
  private boolean closing;

  /** The listener has been told the call is over. */
  @GuardedBy("this")
  private boolean closed;

  /**
   * The status the handler closed the call with: what the stream tracers are told once the reply
   * is out (the listener then hears OK, as from gRPC's own transports).
   */
  @GuardedBy("this")
  @Nullable
  private Status closedStatus;

  MqttServerStream(
      MqttServerTransport transport,
      @Nullable CallKey key,
      RequestParser.CallStart call,
      ReplyEncoding replies,
      StreamPublisher publisher,
      int window,
      int maxInbound,
      StatsTraceContext stats) {
    this.transport = transport;
    this.key = key;
    this.responseTopic = call.first.responseTopic;
    this.entry = call.entry;
    this.format = call.format;
    this.replies = replies;
    this.requestStreaming = call.requestStreaming;
    this.responseStreaming = call.responseStreaming;
    this.publisher = publisher;
    this.stats = stats;
    this.ttlNanos = call.dedupNanos;
    this.serverDefaultNanos = call.serverDefaultNanos;
    this.messagesOut = new OutboundWindow(stats, 0, true, 0, Integer.MAX_VALUE);
    this.messagesIn = new InboundMessages(
        this, sync, stats, 1, window, maxInbound, "client", MqttServerStream::tooLarge,
        transport.assemblers);
    // What the request PUBLISH carries (its message, and the half-close of a single-request
    // call) is queued before gRPC learns of the stream: the handler's first request() then finds
    // it and gRPC delivers it within the executor task that started the call, instead of a second
    // hand-off to the executor from Paho's thread. The message is within the size limit: the
    // transport checked it.
    Frame first = call.first;
    if (first.credit >= 0) {
      messagesOut.grant(first.credit);
    } else {
      messagesOut.unbounded();
    }
    if (!Wire.CTL_OPEN.equals(first.control)) {
      messagesIn.addFirst(first.payload);
    }
    this.halfCloseReceived = !requestStreaming;
  }

  @Override
  public void reassemblyStalled(String description) {
    transport.badInput(description);
    synchronized (this) { // held already (see InboundMessages); restated for Error Prone
      failLocked(Status.UNAVAILABLE.withDescription(description));
    }
  }

  boolean isStreaming() {
    return requestStreaming || responseStreaming;
  }

  @Nullable
  String responseTopic() {
    return responseTopic;
  }

  /** Starts the call whose request the stream was made with; gRPC has set the listener by now. */
  void start() {
    synchronized (this) {
      if (isStreaming() && responseTopic != null) {
        List<MqttUserProperty> props = Publishes.control(Wire.CTL_ACCEPT);
        props.add(new MqttUserProperty(Wire.SERVER, transport.serverId()));
        props.add(new MqttUserProperty(Wire.CALL_TOPIC, transport.inboxTopic()));
        if (requestStreaming) {
          props.add(new MqttUserProperty(Wire.CREDIT, Long.toString(messagesIn.openCredit())));
        }
        publishLocked(new byte[0], props, vanishOnNoSubscriberLocked());
      }
      // gRPC may already have asked for the message from its executor.
      deliverLocked();
      signalReadyLocked();
    }
    sync.drain();
  }

  // --- inbound: continuation frames on Paho's callback thread ---

  void inbound(Frame frame) {
    synchronized (this) {
      if (closed) {
        return;
      }
      if (frame.error != null) {
        failLocked(Status.INVALID_ARGUMENT.withDescription(frame.error));
      } else if (Wire.CTL_CREDIT.equals(frame.control)) {
        // Credit still matters after close(): queued responses and the status wait for it.
        messagesOut.grant(frame.credit);
        flushLocked();
      } else if (Wire.CTL_CANCEL.equals(frame.control)) {
        clientGoneLocked(Status.CANCELLED.withDescription("client cancelled"));
      } else if (closing) {
        // The call is over from the server's side; late client messages change nothing.
        return;
      } else if (!frame.hasSeq()) {
        failLocked(Status.INVALID_ARGUMENT.withDescription(
            "streaming message without " + Wire.SEQ));
      } else if (!requestStreaming) {
        failLocked(Status.INVALID_ARGUMENT.withDescription(
            "this method takes a single request message"));
      } else if ((frame = wholeFrameLocked(frame)) == null) {
        // A chunk of a message not yet whole, a duplicate chunk, or bad chunks (the call failed).
      } else {
        try {
          if (messagesIn.offer(frame)) {
            Frame next;
            while (!halfCloseReceived && !closing && (next = messagesIn.next()) != null) {
              if (Wire.CTL_HALF_CLOSE.equals(next.control)) {
                halfCloseReceived = true;
              } else if (next.control != null) {
                failLocked(Status.INVALID_ARGUMENT.withDescription(
                    "unexpected " + Wire.CTL + " '" + next.control + "' in a request stream"));
              } else {
                messagesIn.addStreamed(next.payload);
              }
            }
            deliverLocked();
          }
        } catch (StatusException e) {
          failLocked(e.getStatus());
        }
      }
    }
    sync.drain();
  }

  /**
   * The frame itself, or for a chunk the whole frame once its last chunk arrived; null while the
   * message is incomplete, for a duplicate chunk, and when bad chunks failed the call.
   */
  @GuardedBy("this")
  @Nullable
  private Frame wholeFrameLocked(Frame frame) {
    try {
      return messagesIn.whole(frame);
    } catch (StatusException e) {
      transport.badInput(e.getStatus().getDescription());
      failLocked(e.getStatus());
      return null;
    }
  }

  static String tooLarge(int size, int max) {
    return "request message of " + size + " bytes is larger than the limit of " + max + " bytes";
  }

  @Override
  public void request(int numMessages) {
    synchronized (this) {
      messagesIn.request(numMessages);
      deliverLocked();
    }
    sync.drain();
  }

  @GuardedBy("this")
  private void deliverLocked() {
    if (closed) {
      return;
    }
    byte[] payload;
    while ((payload = messagesIn.nextToDeliver()) != null) {
      // The producer is the task too: one object per message.
      sync.executeLater(new DecodingProducer(payload));
    }
    if (messagesIn.drained() && halfCloseReceived && !halfCloseDelivered) {
      halfCloseDelivered = true;
      sync.executeLater(() -> listener.halfClosed());
    }
    if (requestStreaming && !halfCloseReceived && responseTopic != null) {
      long credit = messagesIn.creditDue();
      if (credit >= 0) {
        publishLocked(
            new byte[0], InboundMessages.creditFrame(credit), vanishOnNoSubscriberLocked());
      }
    }
  }

  /**
   * Parses on the application thread that asks for the message, not on Paho's thread. Run (on
   * the stream's {@link StreamTasks}), it hands itself to the listener.
   */
  private final class DecodingProducer implements StreamListener.MessageProducer, Runnable {
    private byte[] payload;

    DecodingProducer(byte[] payload) {
      this.payload = payload;
    }

    @Override
    public void run() {
      listener.messagesAvailable(this);
    }

    @Nullable
    @Override
    public InputStream next() {
      byte[] p = payload;
      if (p == null) {
        return null;
      }
      payload = null;
      try {
        return PayloadCodec.decodeRequest(entry, format, p);
      } catch (StatusException e) {
        transport.badInput(e.getStatus().getDescription());
        synchronized (MqttServerStream.this) {
          failLocked(e.getStatus());
        }
        sync.drain();
        return null;
      }
    }
  }

  // --- outbound, called by gRPC on the application thread ---

  @Override
  public void writeHeaders(Metadata headers, boolean flush) {
    synchronized (this) {
      if (closing) {
        return;
      }
      if (!responseStreaming) {
        unaryHeaders = headers;
        return;
      }
      List<MqttUserProperty> props = Publishes.control(Wire.CTL_HEADERS);
      Wire.putMetadata(props, headers);
      messagesOut.add(new OutboundWindow.Out(OutboundWindow.Out.CONTROL, new byte[0], props));
      flushLocked();
    }
    sync.drain();
  }

  @Override
  public void writeMessage(InputStream message) {
    byte[] payload;
    try {
      payload = PayloadCodec.encodeResponse(entry, format, message);
    } catch (StatusException e) {
      cancel(e.getStatus());
      return;
    }
    synchronized (this) {
      if (closing) {
        return;
      }
      messagesOut.trace(payload.length);
      if (!responseStreaming) {
        unaryResponse = payload;
        return;
      }
      messagesOut.add(
          new OutboundWindow.Out(OutboundWindow.Out.MESSAGE, payload, new ArrayList<>(2)));
      flushLocked();
    }
    sync.drain();
  }

  @Override
  public void close(Status status, Metadata trailers) {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
      closedStatus = status;
      if (responseTopic == null) {
        // One-way call: the response is dropped by design.
        finishLocked(Status.OK, null);
      } else if (!responseStreaming) {
        List<MqttUserProperty> props = new ArrayList<>(4);
        if (unaryHeaders != null) {
          Wire.putMetadata(props, unaryHeaders);
        }
        byte[] payload = status.isOk() && unaryResponse != null ? unaryResponse : new byte[0];
        addStatus(props, status, trailers);
        publishFinalLocked(payload, props, status);
      } else {
        List<MqttUserProperty> props = new ArrayList<>();
        addStatus(props, status, trailers);
        messagesOut.add(new OutboundWindow.Out(OutboundWindow.Out.FINAL, new byte[0], props));
        flushLocked();
      }
    }
    sync.drain();
  }

  @Override
  public void cancel(Status status) {
    boolean serverDefaultPassed =
        serverDefaultNanos > 0 && status.getCode() == Status.Code.DEADLINE_EXCEEDED;
    if (serverDefaultPassed) {
      // gRPC's "context timed out" would not tell a caller that never set a deadline why.
      status = Status.DEADLINE_EXCEEDED.withDescription(
          "the request set no deadline and ran into the server's default of "
              + TimeUnit.NANOSECONDS.toMillis(serverDefaultNanos) + " ms");
    }
    synchronized (this) {
      if (closing) {
        return;
      }
      if (serverDefaultPassed) {
        transport.limitHit(status.getDescription() + " (response topic '" + responseTopic + "')");
      }
      closing = true;
      messagesOut.clear();
      if (responseTopic != null) {
        List<MqttUserProperty> props = new ArrayList<>();
        addStatus(props, status, new Metadata());
        if (responseStreaming) {
          props.add(new MqttUserProperty(Wire.SEQ, Long.toString(messagesOut.nextSeq())));
          publishLocked(new byte[0], props, TransportConnection.IGNORE);
        } else {
          sendLocked(lastFrameLocked(new byte[0], props, status),
              new TooLargeGuard(props, TransportConnection.IGNORE));
        }
      }
      finishLocked(status, null);
    }
    sync.drain();
  }

  /** The client cancelled, or its will arrived: end the call without replying. */
  void clientGone(Status status) {
    synchronized (this) {
      clientGoneLocked(status);
    }
    sync.drain();
  }

  @GuardedBy("this")
  private void clientGoneLocked(Status status) {
    if (closed || (closing && !messagesOut.hasPending())) {
      // The final status is already on its way: its PUBACK decides how the call ended.
      return;
    }
    closing = true;
    messagesOut.clear();
    finishLocked(status, null);
  }

  /** Rejects bad input from the client: an error reply, and the handler sees a cancellation. */
  @GuardedBy("this")
  private void failLocked(Status status) {
    if (closing) {
      return;
    }
    closing = true;
    messagesOut.clear();
    messagesIn.clear();
    RecentCalls.Reply reply = null;
    if (responseTopic != null) {
      List<MqttUserProperty> props = new ArrayList<>();
      addStatus(props, status, new Metadata());
      if (responseStreaming) {
        props.add(new MqttUserProperty(Wire.SEQ, Long.toString(messagesOut.nextSeq())));
      }
      RecentCalls.Reply frame = lastFrameLocked(new byte[0], props, status);
      sendLocked(frame, TransportConnection.IGNORE);
      if (!responseStreaming) {
        // A duplicate of this request gets the same answer.
        reply = frame;
      }
    }
    finishLocked(Status.CANCELLED.withDescription(status.getDescription()), reply);
  }

  private static void addStatus(List<MqttUserProperty> props, Status status, Metadata trailers) {
    Wire.putStatus(props, status);
    Wire.putMetadata(props, trailers);
  }

  @GuardedBy("this")
  private void flushLocked() {
    OutboundWindow.Out out;
    while ((out = messagesOut.nextToSend()) != null) {
      if (out.kind == OutboundWindow.Out.FINAL) {
        publishFinalLocked(out.payload, out.props, closedStatus);
      } else {
        publishLocked(out.payload, out.props, vanishOnNoSubscriberLocked());
      }
    }
    signalReadyLocked();
  }

  @GuardedBy("this")
  private void signalReadyLocked() {
    if (messagesOut.becameReady(isReadyLocked()) && listener != null) {
      sync.executeLater(() -> listener.onReady());
    }
  }

  @Override
  public synchronized boolean isReady() {
    return isReadyLocked();
  }

  @GuardedBy("this")
  private boolean isReadyLocked() {
    if (closing) {
      return false;
    }
    return !responseStreaming || messagesOut.hasRoom();
  }

  /**
   * A stream's frames find out, from their PUBACKs, that the client is gone; made by the first
   * such frame, since a unary call sends only its last.
   */
  @GuardedBy("this")
  @Nullable
  private VanishOnNoSubscriber vanishOnNoSubscriber;

  @GuardedBy("this")
  private VanishOnNoSubscriber vanishOnNoSubscriberLocked() {
    if (vanishOnNoSubscriber == null) {
      vanishOnNoSubscriber = new VanishOnNoSubscriber();
    }
    return vanishOnNoSubscriber;
  }

  private final class VanishOnNoSubscriber implements TransportConnection.PublishCallback {
    @Override
    public void published(int reasonCode) {
      if (reasonCode == Wire.NO_MATCHING_SUBSCRIBERS) {
        transport.clientVanished(responseTopic);
      }
    }

    @Override
    public void failed(Throwable cause) {
      // A lost connection ends the calls by itself.
    }
  }

  /**
   * The frame that ends the call with {@code status}: addressed and encoded by {@link #replies}
   * (for a stream of responses, always the MQTT 5 FINAL frame).
   */
  @GuardedBy("this")
  private RecentCalls.Reply lastFrameLocked(byte[] payload, List<MqttUserProperty> props, Status status) {
    return new RecentCalls.Reply(
        replies.topic(responseTopic, status),
        replies.payload(payload, status),
        publisher.properties(props));
  }

  /** Publishes the last frame; {@code outcome} ignores it, or runs outside the lock already. */
  @GuardedBy("this")
  private void sendLocked(RecentCalls.Reply frame, TransportConnection.PublishCallback outcome) {
    publisher.publish(frame.topic, frame.payload, frame.properties, replies.chunked(),
        OutsideStreamLock.wrap(this, sync, outcome));
  }

  @GuardedBy("this")
  private void publishFinalLocked(byte[] payload, List<MqttUserProperty> props, Status status) {
    RecentCalls.Reply frame = lastFrameLocked(payload, props, status);
    RecentCalls.Reply reply = responseStreaming ? null : frame;
    sentReply = reply;
    sendLocked(frame, new FinalFrameOutcome(props, reply));
  }

  @GuardedBy("this")
  private void publishLocked(
      byte[] payload, List<MqttUserProperty> props, TransportConnection.PublishCallback callback) {
    publisher.publish(payload, props, new TooLargeGuard(props, callback));
  }

  /**
   * A frame whose metadata alone exceeds the broker's Maximum Packet Size cannot be sent, not even
   * in chunks: the client gets RESOURCE_EXHAUSTED in its place (same {@code grpc-seq}, so it ends
   * the call in order) instead of waiting for its deadline. Made per publish, it runs outside
   * the stream's lock.
   */
  private class TooLargeGuard extends OutsideStreamLock {
    private final List<MqttUserProperty> props;
    private final TransportConnection.PublishCallback next;

    TooLargeGuard(List<MqttUserProperty> props, TransportConnection.PublishCallback next) {
      super(MqttServerStream.this, MqttServerStream.this.sync);
      this.props = props;
      this.next = next;
    }

    @Override
    void onPublished(int reasonCode) {
      next.published(reasonCode);
    }

    /** Any failure but a frame too large for the broker. */
    void failedOtherwise(Throwable cause) {
      next.failed(cause);
    }

    @Override
    void onFailed(Throwable cause) {
      if (!(cause instanceof PacketTooLargeException)) {
        failedOtherwise(cause);
        return;
      }
      Status status = Status.RESOURCE_EXHAUSTED.withDescription(
          "cannot send the response: " + cause.getMessage());
      transport.badInput(status.getDescription());
      synchronized (MqttServerStream.this) {
        closing = true;
        messagesOut.clear();
        List<MqttUserProperty> error = new ArrayList<>(3);
        Wire.putStatus(error, status);
        for (MqttUserProperty p : props) {
          if (Wire.SEQ.equals(p.name())) {
            error.add(p);
          }
        }
        RecentCalls.Reply frame = lastFrameLocked(new byte[0], error, status);
        publisher.publish(
            frame.topic, frame.payload, frame.properties, false, TransportConnection.IGNORE);
        finishLocked(status, null);
      }
      sync.drain();
    }
  }

  /** The last frame's PUBACK (or its failure) is what ends the call on this side. */
  private final class FinalFrameOutcome extends TooLargeGuard {
    @Nullable private final RecentCalls.Reply reply;

    FinalFrameOutcome(List<MqttUserProperty> props, @Nullable RecentCalls.Reply reply) {
      super(props, TransportConnection.IGNORE);
      this.reply = reply;
    }

    @Override
    void onPublished(int reasonCode) {
      finish(reasonCode == Wire.NO_MATCHING_SUBSCRIBERS
          ? Status.CANCELLED.withDescription("the client is gone: nobody took the reply")
          : Status.OK, reply);
    }

    @Override
    void failedOtherwise(Throwable cause) {
      finish(Status.UNAVAILABLE.withDescription("reply not published: " + cause), reply);
    }
  }

  private void finish(Status status, @Nullable RecentCalls.Reply reply) {
    synchronized (this) {
      finishLocked(status, reply);
    }
    sync.drain();
  }

  /**
   * The reply of a unary-response call once it is published, before its PUBACK ends the call; a
   * QoS 1 duplicate arriving meanwhile (its caller may already hold the reply) gets it again.
   */
  @Nullable
  RecentCalls.Reply sentReply() {
    return sentReply;
  }

  @GuardedBy("this")
  private void finishLocked(Status status, @Nullable RecentCalls.Reply reply) {
    if (closed) {
      return;
    }
    closed = true;
    messagesIn.clear();
    if (messagesOut.creditWaits() > 0 && log.isDebugEnabled()) {
      // What a stream that runs below its rate waited on: its reader's credit (the window).
      log.debug("call to '{}' ran out of the client's credit {} times, {} ms in all",
          responseTopic, messagesOut.creditWaits(),
          TimeUnit.NANOSECONDS.toMillis(messagesOut.creditWaitNanos()));
    }
    stats.streamClosed(status.isOk() && closedStatus != null ? closedStatus : status);
    transport.streamDone(this, reply, ttlNanos);
    Runnable closed = () -> listener.closed(status);
    // OK: the reply's PUBACK came (or a one-way call ended), so the handler is done and nothing
    // waits for the call's last callbacks: on the default pool they need not wake a thread.
    sync.executeLater(status.isOk() ? () -> DeferringExecutor.lazily(closed) : closed);
  }

  // --- the rest of ServerStream ---

  @Override
  public void setListener(ServerStreamListener listener) {
    this.listener = listener;
  }

  @Override
  public StatsTraceContext statsTraceContext() {
    return stats;
  }

  @Override
  public Attributes getAttributes() {
    // gRPC asks twice per call (its method lookup and ServerCall.getAttributes): built once.
    // Racy but safe: Attributes is immutable, and a second thread at worst builds an equal one.
    Attributes attributes = this.attributes;
    if (attributes == null) {
      attributes = StreamAttributes.forCall(transport.streamAttributes(), responseTopic);
      this.attributes = attributes;
    }
    return attributes;
  }

  @Nullable
  @Override
  public String getAuthority() {
    return transport.authority();
  }

  @Override
  public int streamId() {
    return -1;
  }

  @Override
  public void flush() {}

  @Override
  public void optimizeForDirectExecutor() {}

  @Override
  public void setCompressor(Compressor compressor) {}

  @Override
  public void setMessageCompression(boolean enable) {}

  @Override
  public void setDecompressor(Decompressor decompressor) {}

  @Override
  public void setOnReadyThreshold(int numBytes) {}
}
