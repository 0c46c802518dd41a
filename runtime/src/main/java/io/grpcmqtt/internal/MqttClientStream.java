package io.grpcmqtt.internal;

import io.grpc.Attributes;
import io.grpc.Compressor;
import io.grpc.Deadline;
import io.grpc.DecompressorRegistry;
import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.internal.ClientStream;
import io.grpc.internal.ClientStreamListener;
import io.grpc.internal.ClientStreamListener.RpcProgress;
import io.grpc.internal.InsightBuilder;
import io.grpc.internal.StatsTraceContext;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client half of one call. Unary and server-streaming requests go out as one PUBLISH at
 * half-close; client- and bidi-streaming calls open with a control PUBLISH and send the rest to
 * the topic the accepting server names, within the credit it grants.
 */
final class MqttClientStream implements ClientStream, InboundMessages.Owner {
  private static final Logger log = LoggerFactory.getLogger(MqttClientStream.class);

  private final MqttClientTransport transport;
  private final MethodDescriptor<?, ?> method;
  private final Metadata headers;
  private final StatsTraceContext stats;
  /** Boxed once: the transport's map of streams takes it to register and to unregister. */
  private final Long callId;
  /** Where the request goes: the method's topic, or a template filled from the request. */
  private final ClientRoutes routes;
  /** Bound to this call's Correlation Data, QoS and the channel's reply topic. */
  private final StreamPublisher publisher;
  private final boolean clientStreaming;
  private final boolean serverStreaming;
  /** A unary call of an idempotent method: re-sent when a server dies before it is answered. */
  private final boolean resendable;
  /** The listener calls, run in order outside the stream's lock. */
  private final StreamTasks sync = new StreamTasks(log);

  private ClientStreamListener listener;

  @GuardedBy("this")
  private Deadline deadline;

  @GuardedBy("this")
  private boolean requestPublished;

  @GuardedBy("this")
  private boolean halfClosed;

  @GuardedBy("this")
  private boolean closed;

  @GuardedBy("this")
  private byte[] unaryRequest;

  /** The published request of a {@link #resendable} call, kept until the call ends. */
  @GuardedBy("this")
  private byte[] sentRequest;

  /** The broker acknowledged the request: it has routed it to a server (or to none, 0x10). */
  @GuardedBy("this")
  private boolean requestAcked;

  /**
   * The accepting server's call topic, where request messages, credit and the half-close go (a
   * topic, not a second publisher: every stream of a channel has one, and most are server
   * streams that only grant credit through it).
   */
  @GuardedBy("this")
  @Nullable
  private String callTopic;

  private volatile String serverId;

  /** Request messages and the half-close, sent to the call topic once a server accepted. */
  @GuardedBy("this")
  private final OutboundWindow messagesOut;

  @GuardedBy("this")
  private final InboundMessages messagesIn;

  @GuardedBy("this")
  private Frame finalFrame;

  @GuardedBy("this")
  private boolean headersSeen;

  MqttClientStream(
      MqttClientTransport transport,
      MethodDescriptor<?, ?> method,
      Metadata headers,
      StatsTraceContext stats,
      long callId,
      ClientRoutes routes,
      StreamPublisher publisher,
      int window,
      int maxMessageSize) {
    this.transport = transport;
    this.method = method;
    this.headers = headers;
    this.stats = stats;
    this.callId = callId;
    this.routes = routes;
    this.publisher = publisher;
    this.clientStreaming = !method.getType().clientSendsOneMessage();
    this.serverStreaming = !method.getType().serverSendsOneMessage();
    this.resendable =
        !clientStreaming && !serverStreaming && MethodPolicies.isIdempotent(method);
    this.messagesOut = new OutboundWindow(stats, 1, false, 0, maxMessageSize);
    this.messagesIn = new InboundMessages(
        this, sync, stats, 0, window, maxMessageSize, "server", MqttClientStream::tooLarge,
        transport.assemblers);
  }

  @Override
  public void reassemblyStalled(String description) {
    synchronized (this) { // held already (see InboundMessages); restated for Error Prone
      failLocked(Status.UNAVAILABLE.withDescription(description), true);
    }
  }

  Long callId() {
    return callId;
  }

  @Nullable
  String serverId() {
    return serverId;
  }

  // --- ClientStream, called by gRPC ---

  @Override
  public void start(ClientStreamListener listener) {
    this.listener = listener;
    stats.clientOutboundHeaders();
    Status refused = transport.register(this);
    synchronized (this) {
      if (refused != null) {
        closeLocked(refused, new Metadata());
      } else if (clientStreaming) {
        publishFirstLocked(Wire.CTL_OPEN, new byte[0]);
      }
    }
    sync.drain();
  }

  @Override
  public void request(int numMessages) {
    synchronized (this) {
      if (closed) {
        return;
      }
      messagesIn.request(numMessages);
      deliverLocked();
    }
    sync.drain();
  }

  @Override
  public void writeMessage(InputStream message) {
    byte[] bytes;
    try {
      bytes = PayloadCodec.readAll(message);
      message.close();
    } catch (IOException e) {
      cancel(Status.INTERNAL.withDescription("cannot serialize request").withCause(e));
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      if (messagesOut.tooLarge(bytes.length)) {
        // The status grpc-java's own transports end such a call with (their framer throws, and
        // gRPC cancels the call). Not thrown from here: a call that waited for the connection
        // writes through a DelayedStream, which would not end the call on an exception.
        failLocked(
            Status.CANCELLED.withDescription("Failed to stream message").withCause(
                Status.RESOURCE_EXHAUSTED.withDescription(
                    "message too large " + bytes.length + " > " + messagesOut.maxSize())
                    .asRuntimeException()),
            true);
      } else {
        messagesOut.trace(bytes.length);
        if (clientStreaming) {
          messagesOut.add(message(bytes));
          flushLocked();
        } else {
          unaryRequest = bytes;
        }
      }
    }
    sync.drain();
  }

  @Override
  public void halfClose() {
    synchronized (this) {
      if (closed || halfClosed) {
        return;
      }
      halfClosed = true;
      if (clientStreaming) {
        messagesOut.add(halfCloseFrame());
        flushLocked();
      } else {
        byte[] request = unaryRequest == null ? new byte[0] : unaryRequest;
        unaryRequest = null;
        if (resendable) {
          sentRequest = request;
        }
        publishFirstLocked(null, request);
      }
    }
    sync.drain();
  }

  @Override
  public void cancel(Status reason) {
    boolean tellServer;
    synchronized (this) {
      if (closed) {
        return;
      }
      tellServer = requestPublished;
      closeLocked(reason, new Metadata());
    }
    sync.drain();
    if (tellServer) {
      publisher.publishCancel();
    }
  }

  /**
   * A server went offline: if this is an unanswered unary call of an idempotent method that the
   * broker had already routed, publishes its request again (same Correlation Data, the deadline
   * that is left), so that a live instance answers it. The unary call does not know which instance
   * took it; a live one that holds it drops the copy, or answers it from its reply cache.
   *
   * @return whether the request was published again
   */
  boolean resendAfterServerLoss() {
    synchronized (this) {
      if (closed || !requestAcked || sentRequest == null
          || (deadline != null && deadline.isExpired())) {
        return false;
      }
      if (callTopic != null) {
        // Accepted as a stream (its request travels in chunks): the will of the server that took
        // it fails it; another server would need the whole request again.
        return false;
      }
      requestAcked = false;
      if (messagesOut.hasPending()) {
        // Opened for chunks and not yet accepted: the open goes again, the chunks still wait.
        publishFirstLocked(Wire.CTL_OPEN, new byte[0]);
      } else {
        publishFirstLocked(null, sentRequest);
      }
    }
    sync.drain();
    return true;
  }

  @Override
  public synchronized boolean isReady() {
    return isReadyLocked();
  }

  @GuardedBy("this")
  private boolean isReadyLocked() {
    if (closed || halfClosed) {
      return false;
    }
    if (!clientStreaming) {
      return true;
    }
    return messagesOut.hasRoom();
  }

  @Override
  public synchronized void setDeadline(Deadline deadline) {
    this.deadline = deadline;
  }

  @Override
  public synchronized void setMaxInboundMessageSize(int maxSize) {
    messagesIn.setMaxSize(maxSize);
  }

  @Override
  public synchronized void setMaxOutboundMessageSize(int maxSize) {
    messagesOut.setMaxSize(maxSize);
  }

  @Override
  public Attributes getAttributes() {
    return transport.getAttributes();
  }

  @Override
  public void appendTimeoutInsight(InsightBuilder insight) {
    insight.appendKeyValue("broker", transport.brokerUri());
    String server = serverId;
    if (server != null) {
      insight.appendKeyValue("server", server);
    }
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
  public void setAuthority(String authority) {}

  @Override
  public void setFullStreamDecompression(boolean fullStreamDecompression) {}

  @Override
  public void setDecompressorRegistry(DecompressorRegistry decompressorRegistry) {}

  // --- outbound ---

  /** The PUBLISH on the request topic that starts the call (unary request, or open). */
  @GuardedBy("this")
  private void publishFirstLocked(@Nullable String control, byte[] payload) {
    ClientRoutes.Target target;
    try {
      target = routes.target(method, payload);
    } catch (StatusException e) {
      failLocked(e.getStatus(), false);
      return;
    }
    List<MqttUserProperty> props = new ArrayList<>(4);
    if (control != null) {
      props.add(new MqttUserProperty(Wire.CTL, control));
      props.add(new MqttUserProperty(Wire.SEQ, "0"));
    }
    Long expiry = null;
    if (deadline != null) {
      long nanos = Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS));
      props.add(new MqttUserProperty(Wire.TIMEOUT, Wire.encodeTimeout(nanos)));
      // Message Expiry is in whole seconds: round up so the broker never drops a live request.
      expiry = Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }
    if (serverStreaming) {
      props.add(new MqttUserProperty(Wire.CREDIT, Long.toString(messagesIn.openCredit())));
    }
    Wire.putMetadata(props, headers);
    PublishProperties properties = publisher.properties(target.contentType(), props);
    if (expiry != null) {
      properties.setMessageExpiryInterval(expiry);
    }
    if (control == null && !publisher.fits(target.topic(), payload, properties)) {
      // Chunks on the request topic could each reach another server of the shared group: open
      // the call as a client stream does, and send the message's chunks to the topic the
      // accepting server names.
      messagesOut.add(message(payload));
      messagesOut.add(halfCloseFrame());
      publishFirstLocked(Wire.CTL_OPEN, new byte[0]);
      return;
    }
    requestPublished = true;
    publisher.publish(
        target.topic(), payload, properties, false, new RequestCallback(target.topic()));
  }

  private static OutboundWindow.Out message(byte[] payload) {
    return new OutboundWindow.Out(OutboundWindow.Out.MESSAGE, payload, new ArrayList<>(1));
  }

  private static OutboundWindow.Out halfCloseFrame() {
    return new OutboundWindow.Out(
        OutboundWindow.Out.CONTROL, new byte[0], Publishes.control(Wire.CTL_HALF_CLOSE));
  }

  /** Sends queued messages and the half-close, within the server's credit. */
  @GuardedBy("this")
  private void flushLocked() {
    if (closed) {
      return;
    }
    OutboundWindow.Out out;
    while ((out = messagesOut.nextToSend()) != null) {
      publishToServerLocked(out.payload, out.props);
    }
    if (messagesOut.becameReady(isReadyLocked())) {
      sync.executeLater(() -> listener.onReady());
    }
  }

  @GuardedBy("this")
  private void publishToServerLocked(byte[] payload, List<MqttUserProperty> props) {
    if (failOnError == null) {
      failOnError = new FailOnError();
    }
    publisher.publish(callTopic, payload, props, OutsideStreamLock.wrap(this, sync, failOnError));
  }

  @GuardedBy("this")
  private void grantCreditLocked() {
    if (!serverStreaming || callTopic == null || finalFrame != null) {
      return;
    }
    long credit = messagesIn.creditDue();
    if (credit >= 0) {
      publishToServerLocked(new byte[0], InboundMessages.creditFrame(credit));
    }
  }

  // --- inbound, on Paho's callback thread ---

  void inbound(Frame frame) {
    synchronized (this) {
      if (closed) {
        return;
      }
      try {
        inboundLocked(frame);
      } catch (IllegalArgumentException e) {
        failLocked(Status.INTERNAL.withDescription("malformed reply: " + e.getMessage()), true);
      }
    }
    sync.drain();
  }

  @GuardedBy("this")
  private void inboundLocked(Frame received) {
    if (received.error != null) {
      throw new IllegalArgumentException(received.error);
    }
    Frame frame;
    try {
      frame = messagesIn.whole(received);
    } catch (StatusException e) {
      Status status = e.getStatus();
      if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
        throw new IllegalArgumentException(status.getDescription());
      }
      failLocked(status, true);
      return;
    }
    if (frame == null) {
      return;
    }
    String control = frame.control;
    if (Wire.CTL_ACCEPT.equals(control)) {
      if (callTopic == null) {
        if (frame.callTopic == null || frame.callTopic.isEmpty()) {
          throw new IllegalArgumentException("accept without " + Wire.CALL_TOPIC);
        }
        // Interned: each accept decodes its own copies of the same few servers' names, and an
        // open stream keeps them (the JVM's string table drops them once no stream does).
        callTopic = frame.callTopic.intern();
        serverId = frame.serverId == null ? null : frame.serverId.intern();
        messagesOut.open();
      }
      messagesOut.grant(Math.max(0, frame.credit));
      flushLocked();
      grantCreditLocked();
      return;
    }
    if (Wire.CTL_CREDIT.equals(control)) {
      messagesOut.grant(frame.credit);
      flushLocked();
      return;
    }
    if (!frame.hasSeq()) {
      if (!frame.isFinal()) {
        throw new IllegalArgumentException("reply without " + Wire.SEQ + " or " + Wire.STATUS);
      }
      // A unary reply, or an error the server sent before the call began.
      Status status = Wire.decodeStatus(frame.status, frame.statusMessage);
      headersLocked(frame, 0, frame.statusIndex, status.isOk());
      finalFrame = frame;
      if (status.isOk() && !serverStreaming && !addMessageLocked(frame.payload, false)) {
        return;
      }
    } else {
      try {
        if (!messagesIn.offer(frame)) {
          return;
        }
      } catch (StatusException e) {
        failLocked(e.getStatus(), true);
        return;
      }
      Frame next;
      while (finalFrame == null && (next = messagesIn.next()) != null) {
        if (next.isFinal()) {
          headersLocked(next, 0, next.statusIndex, false);
          finalFrame = next;
        } else if (Wire.CTL_HEADERS.equals(next.control)) {
          headersLocked(next, 0, next.props.size(), true);
        } else if (next.control != null) {
          throw new IllegalArgumentException("unexpected " + Wire.CTL + " '" + next.control + "'");
        } else if (!addMessageLocked(next.payload, serverStreaming)) {
          return;
        }
      }
    }
    deliverLocked();
  }

  @GuardedBy("this")
  private void headersLocked(Frame frame, int from, int to, boolean always) {
    if (headersSeen) {
      return;
    }
    Metadata md = Wire.toMetadata(frame.props, from, to);
    if (always || InternalMetadata.headerCount(md) > 0) {
      headersSeen = true;
      stats.clientInboundHeaders(md);
      sync.executeLater(() -> listener.headersRead(md));
    }
  }

  /** Queues a response message; false when it broke a limit and failed the call. */
  @GuardedBy("this")
  private boolean addMessageLocked(byte[] payload, boolean streamed) {
    try {
      if (streamed) {
        messagesIn.addStreamed(payload);
      } else {
        messagesIn.add(payload);
      }
      return true;
    } catch (StatusException e) {
      failLocked(e.getStatus(), true);
      return false;
    }
  }

  /** Worded as grpc-java's own transports word it. */
  static String tooLarge(int size, int max) {
    return "response message of " + size + " bytes exceeds maximum size " + max;
  }

  @GuardedBy("this")
  private void deliverLocked() {
    if (closed) {
      return;
    }
    byte[] message;
    while ((message = messagesIn.nextToDeliver()) != null) {
      SingleMessageProducer producer =
          new SingleMessageProducer(PayloadCodec.stream(message));
      sync.executeLater(() -> listener.messagesAvailable(producer));
    }
    if (messagesIn.drained() && finalFrame != null) {
      Frame f = finalFrame;
      Status status = Wire.decodeStatus(f.status, f.statusMessage);
      Metadata trailers;
      try {
        trailers = Wire.toMetadata(f.props, f.statusIndex + 1, f.props.size());
      } catch (IllegalArgumentException e) {
        failLocked(Status.INTERNAL.withDescription("malformed reply: " + e.getMessage()), false);
        return;
      }
      stats.clientInboundTrailers(trailers);
      closeLocked(status, trailers);
    } else {
      grantCreditLocked();
    }
  }

  // --- endings ---

  /** Ends the call with a locally made status (no reply will come). */
  void fail(Status status) {
    synchronized (this) {
      failLocked(status, false);
    }
    sync.drain();
  }

  @GuardedBy("this")
  private void failLocked(Status status, boolean tellServer) {
    if (closed) {
      return;
    }
    boolean published = requestPublished;
    closeLocked(status, new Metadata());
    if (tellServer && published) {
      publisher.publishCancel();
    }
  }

  @GuardedBy("this")
  private void closeLocked(Status status, Metadata trailers) {
    closed = true;
    sentRequest = null;
    if (messagesOut.creditWaits() > 0 && log.isDebugEnabled()) {
      // What a stream that runs below its rate waited on: its reader's credit (the window).
      log.debug("call {} of {} ran out of the server's credit {} times, {} ms in all", callId,
          method.getFullMethodName(), messagesOut.creditWaits(),
          TimeUnit.NANOSECONDS.toMillis(messagesOut.creditWaitNanos()));
    }
    messagesOut.clear();
    messagesIn.clear();
    stats.streamClosed(status);
    // Outside the stream's lock (the drain after it): the last call's unregister tells gRPC the
    // transport is idle, and a shut-down transport terminates from there.
    sync.executeLater(() -> transport.unregister(this));
    sync.executeLater(() -> listener.closed(status, RpcProgress.PROCESSED, trailers));
  }

  /**
   * The outcome of every frame sent to the accepting server's call topic; made by the first such
   * frame, since a unary call never sends one.
   */
  @GuardedBy("this")
  @Nullable
  private FailOnError failOnError;

  private final class FailOnError implements TransportConnection.PublishCallback {
    @Override
    public void published(int reasonCode) {
      if (reasonCode == Wire.NO_MATCHING_SUBSCRIBERS) {
        fail(Status.UNAVAILABLE.withDescription(
            "the server that accepted this call is no longer subscribed"));
      }
    }

    @Override
    public void failed(Throwable cause) {
      if (cause instanceof PacketTooLargeException) {
        synchronized (MqttClientStream.this) {
          failLocked(Status.RESOURCE_EXHAUSTED.withDescription(
              "cannot send a request message: " + cause.getMessage()), true);
        }
        sync.drain();
        return;
      }
      fail(Status.UNAVAILABLE.withDescription(
          "cannot publish to the broker: " + cause.getMessage()).withCause(cause));
    }
  }

  /** The request's outcome, run outside the stream's lock. */
  private final class RequestCallback extends OutsideStreamLock {
    private final String topic;

    RequestCallback(String topic) {
      super(MqttClientStream.this, MqttClientStream.this.sync);
      this.topic = topic;
    }

    /**
     * Most requests reach a subscriber: their PUBACK queues nothing on the stream and drains
     * nothing on the client library's thread (so it never runs, there, the listener calls of a
     * reply that arrives meanwhile).
     */
    @Override
    boolean tookAtOnce(int reasonCode) {
      if (reasonCode == Wire.NO_MATCHING_SUBSCRIBERS) {
        return false;
      }
      if (resendable) {
        synchronized (MqttClientStream.this) { // reentrant, if reported while publishing
          requestAcked = true;
        }
      }
      return true;
    }

    @Override
    void onPublished(int reasonCode) {
      transport.noSubscriber(method, topic, MqttClientStream.this::fail);
    }

    @Override
    void onFailed(Throwable cause) {
      if (cause instanceof PacketTooLargeException) {
        // Nothing was sent: the metadata alone does not fit, so chunking cannot help.
        fail(Status.RESOURCE_EXHAUSTED.withDescription(
            "cannot send the request to '" + topic + "': " + cause.getMessage()));
        return;
      }
      fail(Status.UNAVAILABLE.withDescription(
          "cannot publish the request to '" + topic + "': " + cause.getMessage())
          .withCause(cause));
    }
  }
}
