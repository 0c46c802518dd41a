package io.grpcmqtt.samples.echo;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.samples.echo.v1.CollectResponse;
import io.grpcmqtt.samples.echo.v1.EchoGrpc;
import io.grpcmqtt.samples.echo.v1.EchoRequest;
import io.grpcmqtt.samples.echo.v1.EchoResponse;
import io.grpcmqtt.samples.echo.v1.ExpandRequest;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes one call of each kind on an Echo server and prints one line per call. */
public final class EchoClient {
  private static final Logger log = LoggerFactory.getLogger(EchoClient.class);

  /** How many messages the streaming calls send or ask for. */
  static final int STREAM_MESSAGES = 3;

  private final ManagedChannel channel;
  private final String brokerUri;
  private final long deadlineMillis;

  /**
   * Calls through {@code channel} (to the broker at {@code brokerUri}), each with a deadline of
   * {@code deadlineMillis}.
   */
  public EchoClient(ManagedChannel channel, String brokerUri, long deadlineMillis) {
    this.brokerUri = brokerUri;
    this.channel = channel;
    this.deadlineMillis = deadlineMillis;
  }

  /** A call of the four that failed, with its status. */
  public static final class CallFailedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String method;
    private final transient Status status;

    CallFailedException(String method, Throwable cause) {
      super(method + " failed: " + describe(Status.fromThrowable(cause)), cause);
      this.method = method;
      this.status = Status.fromThrowable(cause);
    }

    public String method() {
      return method;
    }

    public Status status() {
      return status;
    }

    private static String describe(Status status) {
      return status.getDescription() == null
          ? status.getCode().toString()
          : status.getCode() + ": " + status.getDescription();
    }
  }

  /**
   * Connects, then runs Echo, Expand, Collect and Chat with {@code text}, printing e.g. {@code
   * unary Echo -> "hello" (3.1 ms)} to {@code out} after each; stops at the first failure.
   */
  public void runAll(String text, PrintStream out) throws CallFailedException, InterruptedException {
    out.println(connect());
    out.println(unary(text));
    out.println(serverStreaming(text));
    out.println(clientStreaming(text));
    out.println(bidiStreaming(text));
  }

  /**
   * Connects the channel to its broker now rather than on the first call (so that call's time
   * is its own), waiting at most the call deadline; returns a line saying how long it took. A
   * channel that cannot connect is left to fail the first call with UNAVAILABLE.
   */
  String connect() throws InterruptedException {
    long t0 = System.nanoTime();
    CountDownLatch settled = new CountDownLatch(1);
    watch(channel, channel.getState(true), settled);
    settled.await(deadlineMillis, TimeUnit.MILLISECONDS);
    ConnectivityState state = channel.getState(false);
    return line(
        "connect", "MQTT", brokerUri + (state == ConnectivityState.READY ? "" : " (" + state + ")"), t0);
  }

  /** Counts {@code settled} down once the channel is READY or has failed to connect. */
  private static void watch(ManagedChannel channel, ConnectivityState seen, CountDownLatch settled) {
    if (seen == ConnectivityState.READY
        || seen == ConnectivityState.TRANSIENT_FAILURE
        || seen == ConnectivityState.SHUTDOWN) {
      settled.countDown();
      return;
    }
    channel.notifyWhenStateChanged(seen, () -> watch(channel, channel.getState(false), settled));
  }

  String unary(String text) throws CallFailedException {
    long t0 = System.nanoTime();
    EchoResponse response;
    try {
      response = blocking().echo(EchoRequest.newBuilder().setMessage(text).build());
    } catch (StatusRuntimeException e) {
      throw failed("Echo", e);
    }
    return line("unary", "Echo", quote(response.getMessage()), t0);
  }

  String serverStreaming(String text) throws CallFailedException {
    long t0 = System.nanoTime();
    List<EchoResponse> responses = new ArrayList<>();
    try {
      Iterator<EchoResponse> it =
          blocking()
              .expand(ExpandRequest.newBuilder().setMessage(text).setCount(STREAM_MESSAGES).build());
      it.forEachRemaining(responses::add);
    } catch (StatusRuntimeException e) {
      throw failed("Expand", e);
    }
    return line("server-streaming", "Expand", messages(responses), t0);
  }

  String clientStreaming(String text) throws CallFailedException, InterruptedException {
    long t0 = System.nanoTime();
    CompletableFuture<CollectResponse> result = new CompletableFuture<>();
    StreamObserver<EchoRequest> requests = async().collect(observer(result, new ArrayList<>()));
    for (int i = 0; i < STREAM_MESSAGES; i++) {
      requests.onNext(EchoRequest.newBuilder().setMessage(text).build());
    }
    requests.onCompleted();
    CollectResponse response = await("Collect", result);
    return line(
        "client-streaming",
        "Collect",
        quote(response.getMessage()) + " from " + response.getCount() + " messages",
        t0);
  }

  String bidiStreaming(String text) throws CallFailedException, InterruptedException {
    long t0 = System.nanoTime();
    List<EchoResponse> received = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<EchoRequest> requests = async().chat(observer(done, received));
    for (int i = 0; i < STREAM_MESSAGES; i++) {
      requests.onNext(EchoRequest.newBuilder().setMessage(text).build());
    }
    requests.onCompleted();
    await("Chat", done);
    synchronized (received) {
      return line("bidi-streaming", "Chat", messages(received), t0);
    }
  }

  private EchoGrpc.EchoBlockingStub blocking() {
    return EchoGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
  }

  private EchoGrpc.EchoStub async() {
    return EchoGrpc.newStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
  }

  /** Completes {@code result} with the last message (or null) when the call ends. */
  private static <R, T> StreamObserver<T> observer(CompletableFuture<R> result, List<T> received) {
    return new StreamObserver<>() {
      private T last;

      @Override
      public void onNext(T value) {
        last = value;
        synchronized (received) {
          received.add(value);
        }
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      @SuppressWarnings("unchecked")
      public void onCompleted() {
        result.complete((R) last);
      }
    };
  }

  private <R> R await(String method, CompletableFuture<R> result)
      throws CallFailedException, InterruptedException {
    try {
      // The call's own deadline ends it; the margin only guards against a lost completion.
      return result.get(deadlineMillis + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw failed(method, e.getCause());
    } catch (TimeoutException e) {
      throw failed(method, Status.DEADLINE_EXCEEDED.withDescription("no answer").asException());
    }
  }

  private static CallFailedException failed(String method, Throwable cause) {
    CallFailedException e = new CallFailedException(method, cause);
    log.debug("{}", e.getMessage(), cause);
    return e;
  }

  /** One line of output: {@code what}, {@code who}, {@code result} and the time since {@code t0}. */
  static String line(String kind, String method, String result, long t0) {
    double millis = (System.nanoTime() - t0) / 1e6;
    return String.format(Locale.ROOT, "%-17s %-8s -> %s (%.1f ms)", kind, method, result, millis);
  }

  private static String messages(List<EchoResponse> responses) {
    return responses.stream()
        .map(r -> "#" + r.getIndex() + " " + quote(r.getMessage()))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
