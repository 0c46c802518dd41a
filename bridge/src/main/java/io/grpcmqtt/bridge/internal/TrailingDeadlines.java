package io.grpcmqtt.bridge.internal;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpcmqtt.GrpcTimeout;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;

/**
 * Makes an HTTP/2 proxy answer an expired deadline with {@code DEADLINE_EXCEEDED} trailers
 * instead of a reset stream.
 *
 * <p>grpc-java's server resets the stream (RST_STREAM CANCEL) when the deadline it read from
 * {@code grpc-timeout} passes. A grpc-java client turns that into {@code DEADLINE_EXCEEDED}, but
 * others (grpc-js, grpc-go) report {@code CANCELLED "Call cancelled"} whenever the reset reaches
 * them before their own timer fires, which on a busy machine is often. A proxy should return the
 * status the forwarded call ended with, as Envoy does.
 *
 * <p>So for a forwarded method this tracer factory takes the {@code grpc-timeout} header away
 * before the server reads it and puts the deadline under {@link #DEADLINE} in the call's {@code
 * Context}, where {@link ForwardingRegistry} gives it to the forwarded call: that call ends with
 * {@code DEADLINE_EXCEEDED} when it passes, and the forwarder sends that status back as trailers.
 * (A deadline on the context itself would not do: the server resets the stream whenever its
 * call's context is cancelled by a deadline, whatever set it.) Methods of services the HTTP/2
 * server hosts itself (health, reflection) keep gRPC's own handling.
 */
public final class TrailingDeadlines extends ServerStreamTracer.Factory {
  /** The caller's deadline of a forwarded call; absent when it set none. */
  public static final Context.Key<Deadline> DEADLINE = Context.key("grpc-mqtt-proxy-deadline");

  private static final Metadata.Key<String> TIMEOUT =
      Metadata.Key.of(GrpcTimeout.NAME, Metadata.ASCII_STRING_MARSHALLER);

  private static final ServerStreamTracer NO_DEADLINE = new ServerStreamTracer() {};

  private volatile Set<String> servedDirectly = Set.of();

  /**
   * The full method names the HTTP/2 server hosts itself; known only once it is built, and
   * before it serves.
   */
  public void servedDirectly(Set<String> fullMethodNames) {
    this.servedDirectly = Set.copyOf(fullMethodNames);
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    if (servedDirectly.contains(fullMethodName)) {
      return NO_DEADLINE;
    }
    String timeout = headers.get(TIMEOUT);
    if (timeout == null) {
      return NO_DEADLINE;
    }
    Long nanos = parseTimeoutNanos(timeout);
    if (nanos == null) {
      // Left for the server to treat as it treats any malformed header.
      return NO_DEADLINE;
    }
    headers.discardAll(TIMEOUT);
    Deadline deadline = Deadline.after(nanos, TimeUnit.NANOSECONDS);
    return new ServerStreamTracer() {
      @Override
      public Context filterContext(Context context) {
        return context.withValue(DEADLINE, deadline);
      }
    };
  }

  /** The value of a {@code grpc-timeout} header in nanoseconds; {@code null} if it is not one. */
  @Nullable
  private static Long parseTimeoutNanos(String value) {
    try {
      return GrpcTimeout.parseNanos(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
