package io.grpcmqtt.bridge;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.bridge.test.v1.EchoGrpc;
import io.grpcmqtt.bridge.test.v1.EchoRequest;
import io.grpcmqtt.bridge.test.v1.EchoResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The far end of the bridge tests: every call kind, headers echoed, a response header and trailer
 * on every call, and a record of the calls that were cancelled.
 */
final class EchoService extends EchoGrpc.EchoImplBase {
  static final Metadata.Key<String> SERVED_BY =
      Metadata.Key.of("x-served-by", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> CALL_TRAILER =
      Metadata.Key.of("x-call-trailer", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> ERROR_DETAIL =
      Metadata.Key.of("x-error-detail", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<byte[]> ERROR_BIN =
      Metadata.Key.of("x-error-bin", Metadata.BINARY_BYTE_MARSHALLER);
  private static final Context.Key<Metadata> HEADERS = Context.key("headers");

  /** The hanging calls the service holds ({@code method:text}), in order of arrival. */
  final BlockingQueue<String> hanging = new LinkedBlockingQueue<>();
  /** What a cancelled call was doing ({@code method:text}), in order of cancellation. */
  final BlockingQueue<String> cancelled = new LinkedBlockingQueue<>();

  /** This service with its interceptor: headers captured, response header and trailer added. */
  ServerServiceDefinition definition() {
    return ServerInterceptors.intercept(this, new Decorations());
  }

  @Override
  public void unary(EchoRequest request, StreamObserver<EchoResponse> out) {
    if (!prepare("Unary", request, out)) {
      return;
    }
    out.onNext(response(request.getText(), 0, request));
    out.onCompleted();
  }

  @Override
  public void serverStream(EchoRequest request, StreamObserver<EchoResponse> out) {
    if (!prepare("ServerStream", request, out)) {
      return;
    }
    for (int i = 0; i < request.getCount(); i++) {
      out.onNext(response(request.getText(), i, request));
    }
    out.onCompleted();
  }

  @Override
  public StreamObserver<EchoRequest> clientStream(StreamObserver<EchoResponse> out) {
    List<String> texts = new ArrayList<>();
    return new StreamObserver<>() {
      private EchoRequest last = EchoRequest.getDefaultInstance();

      @Override
      public void onNext(EchoRequest request) {
        texts.add(request.getText());
        last = request;
        if (request.getHang()) {
          watchCancellation("ClientStream", request, out);
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (last.getFailCode() != 0) {
          fail(last, out);
          return;
        }
        out.onNext(response(String.join(",", texts), texts.size(), last));
        out.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<EchoRequest> bidi(StreamObserver<EchoResponse> out) {
    return new StreamObserver<>() {
      private int index;

      @Override
      public void onNext(EchoRequest request) {
        if (request.getHang()) {
          watchCancellation("Bidi", request, out);
          return;
        }
        if (request.getFailCode() != 0) {
          fail(request, out);
          return;
        }
        out.onNext(response(request.getText(), index++, request));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  /** Sleeps, hangs or fails as the request asks; false when the call is already answered. */
  private boolean prepare(String method, EchoRequest request, StreamObserver<EchoResponse> out) {
    if (request.getHang()) {
      watchCancellation(method, request, out);
      return false;
    }
    if (request.getSleepMs() > 0) {
      // Wait like a service doing work that it abandons when its call ends.
      CountDownLatch ended = new CountDownLatch(1);
      Context.current().addListener(ctx -> ended.countDown(), Runnable::run);
      try {
        ended.await(request.getSleepMs(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (Context.current().isCancelled()) {
        cancelled.add(method + ":" + request.getText());
        return false;
      }
    }
    if (request.getFailCode() != 0) {
      fail(request, out);
      return false;
    }
    return true;
  }

  private void watchCancellation(
      String method, EchoRequest request, StreamObserver<EchoResponse> out) {
    // The call's context ends when the caller cancels or the deadline passes; a hanging call has
    // no other way to end.
    String what = method + ":" + request.getText();
    Context.current().addListener(ctx -> cancelled.add(what), Runnable::run);
    hanging.add(what);
  }

  private static void fail(EchoRequest request, StreamObserver<EchoResponse> out) {
    Metadata trailers = new Metadata();
    trailers.put(ERROR_DETAIL, "detail-of-" + request.getText());
    trailers.put(ERROR_BIN, new byte[] {0, 1, 2, (byte) 0xff});
    out.onError(
        Status.fromCodeValue(request.getFailCode())
            .withDescription(request.getText())
            .asRuntimeException(trailers));
  }

  private static EchoResponse response(String text, int index, EchoRequest request) {
    if (!request.getEchoHeader().isEmpty()) {
      Metadata headers = HEADERS.get();
      text =
          text + "|" + request.getEchoHeader() + "="
              + headers.get(Metadata.Key.of(request.getEchoHeader(), Metadata.ASCII_STRING_MARSHALLER));
    }
    Deadline deadline = Context.current().getDeadline();
    return EchoResponse.newBuilder()
        .setText(text)
        .setIndex(index)
        .setDeadlineMs(deadline == null ? -1 : deadline.timeRemaining(TimeUnit.MILLISECONDS))
        .build();
  }

  /** Captures the request headers; adds a response header and a trailer to every call. */
  private static final class Decorations implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      ServerCall<ReqT, RespT> decorated =
          new SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata responseHeaders) {
              responseHeaders.put(SERVED_BY, call.getMethodDescriptor().getBareMethodName());
              super.sendHeaders(responseHeaders);
            }

            @Override
            public void close(Status status, Metadata trailers) {
              trailers.put(CALL_TRAILER, "closed-" + status.getCode());
              super.close(status, trailers);
            }
          };
      return Contexts.interceptCall(
          Context.current().withValue(HEADERS, headers), decorated, headers, next);
    }
  }
}
