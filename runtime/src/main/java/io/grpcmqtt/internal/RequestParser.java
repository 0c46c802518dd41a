package io.grpcmqtt.internal;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.internal.GrpcUtil;
import io.grpcmqtt.mapper.codec.PayloadFormat;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;

/**
 * Reads a request PUBLISH as the wire contract defines it: either the status the server refuses it
 * with (answered where a Response Topic asks for an answer), or what starts the call (method,
 * framing, headers with the deadline, the first frame). Pure: what depends on the server's state
 * (duplicates, draining, call limits) stays with {@link MqttServerTransport#handleRequest}.
 */
final class RequestParser {
  /** How long a finished call is remembered when its request carried no deadline. */
  static final long DEFAULT_DEDUP_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** What a request PUBLISH asks for: exactly one of {@link #refusal} and {@link #call}. */
  static final class Parsed {
    @Nullable final Status refusal;
    @Nullable final CallStart call;

    private Parsed(@Nullable Status refusal, @Nullable CallStart call) {
      this.refusal = refusal;
      this.call = call;
    }
  }

  /** A request that becomes a call. */
  static final class CallStart {
    final String fullMethod;
    /** Null for a method no registered service has (gRPC answers it UNIMPLEMENTED). */
    @Nullable final MethodRegistry.Entry entry;
    final PayloadFormat format;
    /** Framed as a stream on that side (the request says so, or the method's kind does). */
    final boolean requestStreaming;
    final boolean responseStreaming;
    /** The request's metadata, with {@code grpc-timeout} set to the call's deadline if any. */
    final Metadata headers;
    /** The call's deadline from now, or -1 for none. */
    final long timeoutNanos;
    /** The server's default deadline when the request set none (else 0). */
    final long serverDefaultNanos;
    /** How long the finished call is remembered, so that a QoS 1 duplicate does not run again. */
    final long dedupNanos;
    /** The request PUBLISH: its message, or the open of a stream of them. */
    final Frame first;

    private CallStart(
        String fullMethod, @Nullable MethodRegistry.Entry entry, PayloadFormat format,
        boolean requestStreaming, boolean responseStreaming, Metadata headers, long timeoutNanos,
        long serverDefaultNanos, long dedupNanos, Frame first) {
      this.fullMethod = fullMethod;
      this.entry = entry;
      this.format = format;
      this.requestStreaming = requestStreaming;
      this.responseStreaming = responseStreaming;
      this.headers = headers;
      this.timeoutNanos = timeoutNanos;
      this.serverDefaultNanos = serverDefaultNanos;
      this.dedupNanos = dedupNanos;
      this.first = first;
    }

    boolean isStreaming() {
      return requestStreaming || responseStreaming;
    }
  }

  private final int maxMessageSize;
  private final int maxMetadataSize;
  private final long defaultDeadlineNanos;

  /**
   * @param defaultDeadlineNanos the deadline of a request that sets none, or 0 for none
   */
  RequestParser(int maxMessageSize, int maxMetadataSize, long defaultDeadlineNanos) {
    this.maxMessageSize = maxMessageSize;
    this.maxMetadataSize = maxMetadataSize;
    this.defaultDeadlineNanos = defaultDeadlineNanos;
  }

  /**
   * The request {@code frame}, received on a topic that {@code route} maps to its method; the
   * route holds the method's registry entry, so nothing is looked up here.
   */
  Parsed parse(RequestRoute route, Frame frame) {
    String fullMethod = route.fullMethodName;
    Optional<PayloadFormat> format = route.format(frame.contentType);
    if (format.isEmpty()) {
      return refuse(Status.INVALID_ARGUMENT.withDescription(
          "unsupported content type '" + frame.contentType
              + "': use application/json, or no content type for protobuf"));
    }
    if (frame.error != null) {
      return refuse(Status.INVALID_ARGUMENT.withDescription(frame.error));
    }
    if (frame.isChunk()) {
      // Each chunk on a shared request topic could reach another server instance.
      return refuse(Status.INVALID_ARGUMENT.withDescription(
          "a chunked message cannot start a call: publish " + Wire.CTL + "=open to the request"
              + " topic, then the chunks to the " + Wire.CALL_TOPIC + " of its accept"));
    }
    if (frame.payload.length > maxMessageSize) {
      return refuse(Status.RESOURCE_EXHAUSTED.withDescription(
          MqttServerStream.tooLarge(frame.payload.length, maxMessageSize)));
    }
    MethodRegistry.Entry entry = route.entry(frame.topic, frame.contentType);
    // The request says how it is framed (open: a request stream; a credit: a response stream).
    // A method whose kind is single-message on that side still works framed as a stream, as over
    // HTTP/2, where a call does not announce its kind at all: proxies forward every call as bidi.
    boolean requestStreaming =
        Wire.CTL_OPEN.equals(frame.control)
            || (entry != null && !entry.method.getType().clientSendsOneMessage());
    boolean responseStreaming =
        frame.credit >= 0 || (entry != null && !entry.method.getType().serverSendsOneMessage());
    if ((requestStreaming || responseStreaming)
        && (frame.responseTopic == null || frame.correlation == null)) {
      return refuse(Status.INVALID_ARGUMENT.withDescription(
          "streaming method " + fullMethod + " needs a Response Topic and Correlation Data"));
    }
    if (frame.control != null && !(requestStreaming && Wire.CTL_OPEN.equals(frame.control))) {
      return refuse(Status.INVALID_ARGUMENT.withDescription(
          "unexpected " + Wire.CTL + " '" + frame.control + "' on the request topic of "
              + fullMethod));
    }
    Metadata headers;
    long timeoutNanos = -1;
    try {
      headers = Wire.toMetadata(frame.props, 0, frame.props.size());
      if (frame.timeout != null) {
        timeoutNanos = Wire.decodeTimeout(frame.timeout);
      }
    } catch (RuntimeException e) {
      return refuse(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
    }
    int metadataSize = metadataSize(frame.props);
    if (metadataSize > maxMetadataSize) {
      return refuse(Status.RESOURCE_EXHAUSTED.withDescription(
          "request metadata of " + metadataSize + " bytes is larger than the limit of "
              + maxMetadataSize + " bytes"));
    }
    if (frame.expirySeconds != null && frame.expirySeconds > 0) {
      long expiryNanos = TimeUnit.SECONDS.toNanos(frame.expirySeconds);
      timeoutNanos = timeoutNanos < 0 ? expiryNanos : Math.min(timeoutNanos, expiryNanos);
    }
    long dedupNanos = Math.max(DEFAULT_DEDUP_NANOS, timeoutNanos);
    // A caller that set no deadline and then vanished without a will would pin the call forever.
    long serverDefaultNanos = 0;
    if (timeoutNanos < 0 && defaultDeadlineNanos > 0) {
      serverDefaultNanos = defaultDeadlineNanos;
      timeoutNanos = serverDefaultNanos;
    }
    if (timeoutNanos >= 0) {
      headers.put(GrpcUtil.TIMEOUT_KEY, timeoutNanos);
    }
    return new Parsed(null, new CallStart(
        fullMethod, entry, format.get(), requestStreaming, responseStreaming, headers,
        timeoutNanos, serverDefaultNanos, dedupNanos, frame));
  }

  private static Parsed refuse(Status status) {
    return new Parsed(status, null);
  }

  private static int metadataSize(List<MqttUserProperty> props) {
    int size = 0;
    for (int i = 0; i < props.size(); i++) { // no iterator: most requests carry a few
      MqttUserProperty p = props.get(i);
      // Counted as HTTP/2 does (RFC 7540 6.5.2), so limits mean the same as over HTTP/2.
      size += 32 + p.name().length() + p.value().length();
    }
    return size;
  }
}
