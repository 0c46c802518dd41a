package io.grpcmqtt.cli;

import com.google.protobuf.Timestamp;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.cli.test.v1.AddRequest;
import io.grpcmqtt.cli.test.v1.CountRequest;
import io.grpcmqtt.cli.test.v1.CounterGrpc;
import io.grpcmqtt.cli.test.v1.Kind;
import io.grpcmqtt.cli.test.v1.Number;
import io.grpcmqtt.cli.test.v1.Sum;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The service the CLI tests call. */
final class CounterService extends CounterGrpc.CounterImplBase {
  static final Metadata.Key<String> TAG = Metadata.Key.of("x-tag", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> TAG_VALUE = Context.key("tag");

  ServerServiceDefinition definition() {
    return ServerInterceptors.intercept(this, new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        String tag = headers.get(TAG);
        return Contexts.interceptCall(
            Context.current().withValue(TAG_VALUE, tag == null ? "" : tag), call, headers, next);
      }
    });
  }

  @Override
  public void add(AddRequest request, StreamObserver<Sum> out) {
    if (request.getSleepMs() > 0) {
      CountDownLatch ended = new CountDownLatch(1);
      Context.current().addListener(ctx -> ended.countDown(), Runnable::run);
      try {
        ended.await(request.getSleepMs(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (request.getFailCode() != 0) {
      out.onError(Status.fromCodeValue(request.getFailCode())
          .withDescription("asked to fail with " + request.getFailCode()).asRuntimeException());
      return;
    }
    out.onNext(Sum.newBuilder()
        .setTotal(request.getA() + request.getB())
        .setKind(Kind.KIND_SUM)
        .setAt(Timestamp.newBuilder().setSeconds(1_700_000_000L))
        .setTag(TAG_VALUE.get())
        .build());
    out.onCompleted();
  }

  @Override
  public void countTo(CountRequest request, StreamObserver<Number> out) {
    for (int i = 1; i <= request.getTo(); i++) {
      out.onNext(Number.newBuilder().setValue(i).build());
    }
    out.onCompleted();
  }

  @Override
  public StreamObserver<Number> total(StreamObserver<Sum> out) {
    return new StreamObserver<>() {
      private long total;

      @Override
      public void onNext(Number n) {
        total += n.getValue();
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onNext(Sum.newBuilder().setTotal(total).setKind(Kind.KIND_SUM).build());
        out.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<Number> double_(StreamObserver<Number> out) {
    return new StreamObserver<>() {
      @Override
      public void onNext(Number n) {
        out.onNext(Number.newBuilder().setValue(2 * n.getValue()).build());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }
}
