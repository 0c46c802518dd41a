package io.grpcmqtt.samples.echo;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.samples.echo.v1.CollectResponse;
import io.grpcmqtt.samples.echo.v1.EchoGrpc;
import io.grpcmqtt.samples.echo.v1.EchoRequest;
import io.grpcmqtt.samples.echo.v1.EchoResponse;
import io.grpcmqtt.samples.echo.v1.ExpandRequest;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Echo service: a plain generated {@code EchoImplBase}, nothing MQTT-specific. Invalid input
 * fails the call with {@code INVALID_ARGUMENT} and a description saying what was wrong.
 */
public final class EchoService extends EchoGrpc.EchoImplBase {
  /** Longest accepted {@code message}, in characters. */
  public static final int MAX_MESSAGE_LENGTH = 4096;
  /** Largest accepted {@code delay_ms}. */
  public static final int MAX_DELAY_MS = 10_000;
  /** Largest accepted Expand {@code count}. */
  public static final int MAX_COUNT = 10_000;
  /** Most messages one Collect call takes. */
  public static final int MAX_COLLECT_MESSAGES = 10_000;

  /** Expand responses handed to gRPC so far, over all calls (lets tests watch flow control). */
  private final AtomicLong expandSent = new AtomicLong();

  @Override
  public void echo(EchoRequest request, StreamObserver<EchoResponse> out) {
    StatusRuntimeException invalid = check(request);
    if (invalid != null) {
      out.onError(invalid);
      return;
    }
    if (!pause(request.getDelayMs())) {
      return; // cancelled or past its deadline while waiting: nobody wants the answer
    }
    out.onNext(EchoResponse.newBuilder().setMessage(request.getMessage()).build());
    out.onCompleted();
  }

  /**
   * Sends only while the call {@linkplain ServerCallStreamObserver#isReady() is ready}, continuing
   * from the on-ready handler, so a slow client holds back the server instead of the responses
   * piling up in memory.
   */
  @Override
  public void expand(ExpandRequest request, StreamObserver<EchoResponse> responseObserver) {
    StatusRuntimeException invalid = checkMessage(request.getMessage());
    if (invalid == null && (request.getCount() < 0 || request.getCount() > MAX_COUNT)) {
      invalid = invalidArgument("count must be in 0.." + MAX_COUNT + ", was " + request.getCount());
    }
    if (invalid != null) {
      responseObserver.onError(invalid);
      return;
    }
    ServerCallStreamObserver<EchoResponse> out =
        (ServerCallStreamObserver<EchoResponse>) responseObserver;
    Runnable pump =
        new Runnable() {
          // gRPC runs the handler and its callbacks one at a time, so no locking is needed.
          private int next;
          private boolean done;

          @Override
          public void run() {
            while (!done && next < request.getCount() && out.isReady()) {
              out.onNext(
                  EchoResponse.newBuilder().setMessage(request.getMessage()).setIndex(next++).build());
              expandSent.incrementAndGet();
            }
            if (!done && next == request.getCount()) {
              done = true;
              out.onCompleted();
            }
          }
        };
    // With a cancel handler set, onNext after a cancellation is ignored instead of throwing.
    out.setOnCancelHandler(() -> {});
    out.setOnReadyHandler(pump);
    pump.run();
  }

  @Override
  public StreamObserver<EchoRequest> collect(StreamObserver<CollectResponse> out) {
    return new StreamObserver<>() {
      private final StringBuilder joined = new StringBuilder();
      private int count;
      private boolean failed;

      @Override
      public void onNext(EchoRequest request) {
        if (failed) {
          return; // already answered with an error; gRPC drops the rest of the stream
        }
        StatusRuntimeException invalid = check(request);
        if (invalid == null && count == MAX_COLLECT_MESSAGES) {
          invalid =
              Status.RESOURCE_EXHAUSTED
                  .withDescription("Collect takes at most " + MAX_COLLECT_MESSAGES + " messages")
                  .asRuntimeException();
        }
        if (invalid != null) {
          failed = true;
          out.onError(invalid);
          return;
        }
        if (!pause(request.getDelayMs())) {
          return;
        }
        if (count++ > 0) {
          joined.append(' ');
        }
        joined.append(request.getMessage());
      }

      @Override
      public void onError(Throwable t) {
        // The client cancelled or the call failed: there is nobody to answer.
      }

      @Override
      public void onCompleted() {
        if (!failed) {
          out.onNext(
              CollectResponse.newBuilder().setMessage(joined.toString()).setCount(count).build());
          out.onCompleted();
        }
      }
    };
  }

  @Override
  public StreamObserver<EchoRequest> chat(StreamObserver<EchoResponse> out) {
    return new StreamObserver<>() {
      private int index;
      private boolean failed;

      @Override
      public void onNext(EchoRequest request) {
        if (failed) {
          return;
        }
        StatusRuntimeException invalid = check(request);
        if (invalid != null) {
          failed = true;
          out.onError(invalid);
          return;
        }
        if (!pause(request.getDelayMs())) {
          return;
        }
        out.onNext(EchoResponse.newBuilder().setMessage(request.getMessage()).setIndex(index++).build());
      }

      @Override
      public void onError(Throwable t) {
        // The client cancelled or the call failed: nothing more to send.
      }

      @Override
      public void onCompleted() {
        if (!failed) {
          out.onCompleted();
        }
      }
    };
  }

  /** Expand responses handed to gRPC so far. */
  long expandSent() {
    return expandSent.get();
  }

  private static StatusRuntimeException check(EchoRequest request) {
    StatusRuntimeException invalid = checkMessage(request.getMessage());
    if (invalid == null && (request.getDelayMs() < 0 || request.getDelayMs() > MAX_DELAY_MS)) {
      invalid =
          invalidArgument("delay_ms must be in 0.." + MAX_DELAY_MS + ", was " + request.getDelayMs());
    }
    return invalid;
  }

  private static StatusRuntimeException checkMessage(String message) {
    return message.length() > MAX_MESSAGE_LENGTH
        ? invalidArgument(
            "message must be at most " + MAX_MESSAGE_LENGTH + " characters, was " + message.length())
        : null;
  }

  private static StatusRuntimeException invalidArgument(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
  }

  /**
   * Waits {@code millis}, or less if the call is cancelled (by the client or its deadline)
   * meanwhile; returns whether the call is still wanted.
   */
  private static boolean pause(int millis) {
    Context context = Context.current();
    if (millis == 0) {
      return !context.isCancelled();
    }
    CountDownLatch cancelled = new CountDownLatch(1);
    Context.CancellationListener listener = c -> cancelled.countDown();
    context.addListener(listener, Runnable::run);
    try {
      return !cancelled.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      context.removeListener(listener);
    }
  }
}
