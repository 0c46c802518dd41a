package io.grpcmqtt;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Does what each request asks, and reports what it saw to the test. */
final class TestServiceImpl extends TestServiceGrpc.TestServiceImplBase {
  static final Context.Key<Metadata> HEADERS = Context.key("headers");
  static final Metadata.Key<String> TRAILER =
      Metadata.Key.of("x-trailer", Metadata.ASCII_STRING_MARSHALLER);

  private final String name;
  /** Every unary request's text, counted: a QoS 1 duplicate must never run twice. */
  final java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> unaryTexts =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** One entry per handler that started waiting for its cancellation, naming the method. */
  final BlockingQueue<String> startedHanging = new LinkedBlockingQueue<>();

  TestServiceImpl() {
    this("");
  }

  TestServiceImpl(String name) {
    this.name = name;
  }

  /** One entry per handler that saw its call cancelled, naming the method. */
  final BlockingQueue<String> cancellations = new LinkedBlockingQueue<>();
  final AtomicInteger unaryInvocations = new AtomicInteger();
  /** Handlers that are waiting for their cancellation right now. */
  final AtomicInteger hanging = new AtomicInteger();

  @Override
  public void unary(Request request, StreamObserver<Response> out) {
    unaryInvocations.incrementAndGet();
    unaryTexts.computeIfAbsent(request.getText(), t -> new AtomicInteger()).incrementAndGet();
    if (handleSpecial("Unary", request, out)) {
      return;
    }
    out.onNext(
        Response.newBuilder().setText(text(request)).setBlob(request.getBlob()).setServer(name)
            .build());
    out.onCompleted();
  }

  @Override
  public void idempotentUnary(Request request, StreamObserver<Response> out) {
    unaryInvocations.incrementAndGet();
    if (handleSpecial("IdempotentUnary", request, out)) {
      return;
    }
    out.onNext(Response.newBuilder().setText(text(request)).setServer(name).build());
    out.onCompleted();
  }

  @Override
  public void serverStream(Request request, StreamObserver<Response> out) {
    if (handleSpecial("ServerStream", request, out)) {
      return;
    }
    if (request.getFlowControlled()) {
      streamWhenReady(request, (ServerCallStreamObserver<Response>) out);
      return;
    }
    for (int i = 0; i < request.getCount(); i++) {
      out.onNext(Response.newBuilder().setText(request.getText()).setIndex(i).setServer(name).build());
    }
    out.onCompleted();
  }

  /** Messages sent by flow-controlled server streams, for the test to compare with reads. */
  final AtomicInteger streamed = new AtomicInteger();

  private void streamWhenReady(Request request, ServerCallStreamObserver<Response> out) {
    int[] next = {0};
    boolean[] done = {false};
    out.setOnCancelHandler(() -> cancellations.add("ServerStream"));
    out.setOnReadyHandler(
        () -> {
          while (out.isReady() && !done[0]) {
            if (next[0] == request.getCount()) {
              done[0] = true;
              out.onCompleted();
              return;
            }
            out.onNext(Response.newBuilder().setIndex(next[0]++).setBlob(request.getBlob()).build());
            streamed.incrementAndGet();
          }
        });
  }

  @Override
  public StreamObserver<Request> clientStream(StreamObserver<Response> out) {
    watchCancellation("ClientStream", out);
    return new StreamObserver<>() {
      private final StringBuilder texts = new StringBuilder();
      private int count;
      private boolean done;

      @Override
      public void onNext(Request request) {
        if (done) {
          return;
        }
        if (request.getFailCode() != 0 || request.getHang()) {
          done = handleSpecial("ClientStream", request, out);
          return;
        }
        texts.append(request.getText());
        count++;
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (!done) {
          out.onNext(Response.newBuilder().setText(texts.toString()).setIndex(count).build());
          out.onCompleted();
        }
      }
    };
  }

  @Override
  public StreamObserver<Request> bidi(StreamObserver<Response> out) {
    watchCancellation("Bidi", out);
    return new StreamObserver<>() {
      private int index;
      private boolean done;

      @Override
      public void onNext(Request request) {
        if (done) {
          return;
        }
        if (request.getFailCode() != 0 || request.getHang()) {
          done = handleSpecial("Bidi", request, out);
          return;
        }
        out.onNext(Response.newBuilder().setText(text(request)).setIndex(index++).build());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (!done) {
          out.onCompleted();
        }
      }
    };
  }

  private static String text(Request request) {
    String text = request.getText();
    if (!request.getEchoHeader().isEmpty()) {
      Metadata headers = HEADERS.get();
      String value =
          headers == null
              ? null
              : headers.get(Metadata.Key.of(request.getEchoHeader(), Metadata.ASCII_STRING_MARSHALLER));
      text = text + "|" + request.getEchoHeader() + "=" + value;
    }
    return text;
  }

  /** Fails or hangs as asked; returns true when it took care of the call. */
  private boolean handleSpecial(String method, Request request, StreamObserver<Response> out) {
    if (request.getFailCode() != 0) {
      Metadata trailers = new Metadata();
      trailers.put(TRAILER, "failed-" + method);
      out.onError(
          Status.fromCodeValue(request.getFailCode())
              .withDescription(request.getFailMessage())
              .asRuntimeException(trailers));
      return true;
    }
    if (request.getHang() || (!name.isEmpty() && request.getHangOn().equals(name))) {
      if (method.endsWith("Unary") || method.equals("ServerStream")) {
        watchCancellation(method, out);
      }
      hanging.incrementAndGet();
      startedHanging.add(method);
      if (method.equals("ServerStream") || method.equals("Bidi")) {
        // Tell the client which instance holds the stream.
        out.onNext(Response.newBuilder().setServer(name).setText("hanging").build());
      }
      return true;
    }
    return false;
  }

  /** Records the call's cancellation; streaming calls must register this before returning. */
  private void watchCancellation(String method, StreamObserver<Response> out) {
    ((ServerCallStreamObserver<Response>) out)
        .setOnCancelHandler(
            () -> {
              hanging.decrementAndGet();
              cancellations.add(method);
            });
  }
}
