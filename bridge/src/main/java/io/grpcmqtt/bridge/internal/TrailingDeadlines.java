package io.grpcmqtt.bridge.internal;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * status the far end (or the forwarded call's own deadline) produced, as Envoy does.
 *
 * <p>So this tracer factory takes the {@code grpc-timeout} header away before the server reads it
 * and puts the same deadline on the call's {@code Context} itself: handlers still see the deadline
 * and the cancellation when it passes (the forwarded call ends with {@code DEADLINE_EXCEEDED},
 * which the forwarder sends back as trailers), but the server no longer resets the stream.
 */
public final class TrailingDeadlines extends ServerStreamTracer.Factory {
  private static final Metadata.Key<String> TIMEOUT =
      Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

  // One timer thread for every proxy in the process, as grpc-java shares its own.
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "grpc-mqtt-proxy-deadlines");
            t.setDaemon(true);
            return t;
          });

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    String timeout = headers.get(TIMEOUT);
    if (timeout == null) {
      return NO_DEADLINE;
    }
    headers.discardAll(TIMEOUT);
    Long nanos = parseTimeoutNanos(timeout);
    // An unreadable timeout is ignored, as the server would have rejected the header silently.
    return nanos == null
        ? NO_DEADLINE
        : new DeadlineTracer(Deadline.after(nanos, TimeUnit.NANOSECONDS));
  }

  private static final ServerStreamTracer NO_DEADLINE = new ServerStreamTracer() {};

  /** Owns the deadline context of one call and releases its timer when the call ends. */
  private static final class DeadlineTracer extends ServerStreamTracer {
    private final Deadline deadline;
    private volatile Context.CancellableContext context;

    DeadlineTracer(Deadline deadline) {
      this.deadline = deadline;
    }

    @Override
    public Context filterContext(Context context) {
      Context.CancellableContext withDeadline = context.withDeadline(deadline, TIMER);
      this.context = withDeadline;
      return withDeadline;
    }

    @Override
    public void streamClosed(Status status) {
      Context.CancellableContext c = context;
      if (c != null) {
        c.cancel(null);
      }
    }
  }

  /**
   * The value of a {@code grpc-timeout} header in nanoseconds: up to 8 digits and a unit (H, M,
   * S, m, u, n), per the gRPC over HTTP/2 specification; {@code null} if it is not one.
   */
  @Nullable
  static Long parseTimeoutNanos(String value) {
    int n = value.length();
    if (n < 2 || n > 9) {
      return null;
    }
    long amount = 0;
    for (int i = 0; i < n - 1; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      amount = amount * 10 + (c - '0');
    }
    switch (value.charAt(n - 1)) {
      case 'n':
        return amount;
      case 'u':
        return TimeUnit.MICROSECONDS.toNanos(amount);
      case 'm':
        return TimeUnit.MILLISECONDS.toNanos(amount);
      case 'S':
        return TimeUnit.SECONDS.toNanos(amount);
      case 'M':
        return TimeUnit.MINUTES.toNanos(amount);
      case 'H':
        return TimeUnit.HOURS.toNanos(amount);
      default:
        return null;
    }
  }
}
