package io.grpcmqtt.interop;

import com.google.protobuf.ByteString;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.interop.proto.EchoStatus;
import io.grpcmqtt.interop.proto.Empty;
import io.grpcmqtt.interop.proto.Payload;
import io.grpcmqtt.interop.proto.ResponseParameters;
import io.grpcmqtt.interop.proto.SimpleRequest;
import io.grpcmqtt.interop.proto.SimpleResponse;
import io.grpcmqtt.interop.proto.StreamingInputCallRequest;
import io.grpcmqtt.interop.proto.StreamingInputCallResponse;
import io.grpcmqtt.interop.proto.StreamingOutputCallRequest;
import io.grpcmqtt.interop.proto.StreamingOutputCallResponse;
import io.grpcmqtt.interop.proto.TestServiceGrpc;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The interop server's TestService, as the gRPC interop test descriptions specify it: payloads of
 * the requested sizes (zeros), an echoed status when asked, streamed responses after their
 * intervals, and the echo of the {@code x-grpc-test-echo-*} metadata ({@link #echoMetadata}).
 * UnimplementedCall is left unimplemented.
 */
final class InteropService extends TestServiceGrpc.TestServiceImplBase {
  static final Metadata.Key<String> ECHO_INITIAL =
      Metadata.Key.of("x-grpc-test-echo-initial", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<byte[]> ECHO_TRAILING =
      Metadata.Key.of("x-grpc-test-echo-trailing-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private final ScheduledExecutorService timer;

  InteropService(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  @Override
  public void emptyCall(Empty request, StreamObserver<Empty> out) {
    out.onNext(Empty.getDefaultInstance());
    out.onCompleted();
  }

  @Override
  public void unaryCall(SimpleRequest request, StreamObserver<SimpleResponse> out) {
    if (request.hasResponseStatus() && request.getResponseStatus().getCode() != 0) {
      out.onError(toStatus(request.getResponseStatus()).asRuntimeException());
      return;
    }
    if (request.getResponseCompressed().getValue()) {
      ((ServerCallStreamObserver<SimpleResponse>) out).setCompression("gzip");
    }
    out.onNext(SimpleResponse.newBuilder().setPayload(zeros(request.getResponseSize())).build());
    out.onCompleted();
  }

  @Override
  public void cacheableUnaryCall(SimpleRequest request, StreamObserver<SimpleResponse> out) {
    unaryCall(request, out);
  }

  @Override
  public void streamingOutputCall(
      StreamingOutputCallRequest request, StreamObserver<StreamingOutputCallResponse> out) {
    Responder responder = new Responder(out);
    responder.enqueue(request);
    responder.finishWhenSent();
  }

  @Override
  public StreamObserver<StreamingInputCallRequest> streamingInputCall(
      StreamObserver<StreamingInputCallResponse> out) {
    return new StreamObserver<>() {
      private int total;

      @Override
      public void onNext(StreamingInputCallRequest request) {
        total += request.getPayload().getBody().size();
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onNext(StreamingInputCallResponse.newBuilder().setAggregatedPayloadSize(total).build());
        out.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<StreamingOutputCallRequest> fullDuplexCall(
      StreamObserver<StreamingOutputCallResponse> out) {
    Responder responder = new Responder(out);
    return new StreamObserver<>() {
      @Override
      public void onNext(StreamingOutputCallRequest request) {
        if (request.hasResponseStatus() && request.getResponseStatus().getCode() != 0) {
          responder.fail(toStatus(request.getResponseStatus()));
          return;
        }
        responder.enqueue(request);
      }

      @Override
      public void onError(Throwable t) {
        responder.cancelled();
      }

      @Override
      public void onCompleted() {
        responder.finishWhenSent();
      }
    };
  }

  @Override
  public StreamObserver<StreamingOutputCallRequest> halfDuplexCall(
      StreamObserver<StreamingOutputCallResponse> out) {
    Responder responder = new Responder(out);
    List<StreamingOutputCallRequest> requests = new ArrayList<>();
    return new StreamObserver<>() {
      @Override
      public void onNext(StreamingOutputCallRequest request) {
        requests.add(request);
      }

      @Override
      public void onError(Throwable t) {
        responder.cancelled();
      }

      @Override
      public void onCompleted() {
        requests.forEach(responder::enqueue);
        responder.finishWhenSent();
      }
    };
  }

  private static Status toStatus(EchoStatus echo) {
    return Status.fromCodeValue(echo.getCode()).withDescription(echo.getMessage());
  }

  private static Payload zeros(int size) {
    return Payload.newBuilder().setBody(ByteString.copyFrom(new byte[size])).build();
  }

  /**
   * Sends the responses a streaming call asked for, one after the other, each after its interval
   * (on the timer, so a long interval holds no thread), then the status a request asked for, or
   * the end of the call once the client half-closed.
   */
  private final class Responder {
    private final StreamObserver<StreamingOutputCallResponse> out;
    /** ResponseParameters to send, or a Status to end with. */
    private final Queue<Object> queue = new ArrayDeque<>();
    private boolean scheduled;
    private boolean finishWhenSent;
    private boolean done;

    Responder(StreamObserver<StreamingOutputCallResponse> out) {
      this.out = out;
    }

    synchronized void enqueue(StreamingOutputCallRequest request) {
      queue.addAll(request.getResponseParametersList());
      if (request.hasResponseStatus() && request.getResponseStatus().getCode() != 0) {
        queue.add(toStatus(request.getResponseStatus()));
      }
      scheduleNext();
    }

    synchronized void finishWhenSent() {
      finishWhenSent = true;
      finishIfDone();
    }

    synchronized void fail(Status status) {
      if (!done) {
        done = true;
        queue.clear();
        out.onError(status.asRuntimeException());
      }
    }

    synchronized void cancelled() {
      done = true;
      queue.clear();
    }

    private void scheduleNext() {
      if (scheduled || done || queue.isEmpty()) {
        return;
      }
      scheduled = true;
      Object next = queue.peek();
      long micros = next instanceof ResponseParameters p ? p.getIntervalUs() : 0;
      if (micros > 0) {
        timer.schedule(this::sendNext, micros, TimeUnit.MICROSECONDS);
      } else {
        timer.execute(this::sendNext);
      }
    }

    private synchronized void sendNext() {
      scheduled = false;
      Object next = queue.poll();
      if (done || next == null) {
        return;
      }
      if (next instanceof Status status) {
        fail(status);
        return;
      }
      ResponseParameters params = (ResponseParameters) next;
      if (params.getCompressed().getValue()) {
        ((ServerCallStreamObserver<StreamingOutputCallResponse>) out).setMessageCompression(true);
      }
      try {
        out.onNext(StreamingOutputCallResponse.newBuilder().setPayload(zeros(params.getSize())).build());
      } catch (RuntimeException e) {
        done = true; // the call was cancelled meanwhile
        return;
      }
      scheduleNext();
      finishIfDone();
    }

    private void finishIfDone() {
      if (finishWhenSent && !scheduled && !done && queue.isEmpty()) {
        done = true;
        out.onCompleted();
      }
    }
  }

  /**
   * Echoes {@code x-grpc-test-echo-initial} in the response headers and {@code
   * x-grpc-test-echo-trailing-bin} in the trailers, plus the given keys in both.
   */
  static ServerInterceptor echoMetadata(Metadata.Key<?>... alsoBoth) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata requestHeaders, ServerCallHandler<ReqT, RespT> next) {
        return next.startCall(new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendHeaders(Metadata headers) {
            copy(requestHeaders, headers, ECHO_INITIAL);
            for (Metadata.Key<?> key : alsoBoth) {
              copy(requestHeaders, headers, key);
            }
            super.sendHeaders(headers);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            copy(requestHeaders, trailers, ECHO_TRAILING);
            for (Metadata.Key<?> key : alsoBoth) {
              copy(requestHeaders, trailers, key);
            }
            super.close(status, trailers);
          }
        }, requestHeaders);
      }
    };
  }

  private static <T> void copy(Metadata from, Metadata to, Metadata.Key<T> key) {
    T value = from.get(key);
    if (value != null) {
      to.put(key, value);
    }
  }
}
