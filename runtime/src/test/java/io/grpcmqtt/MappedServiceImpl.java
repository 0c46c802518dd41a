package io.grpcmqtt;

import io.grpc.stub.StreamObserver;
import io.grpcmqtt.test.v1.MappedServiceGrpc;
import io.grpcmqtt.test.v1.Thing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Answers every call with what it received, and queues every request it handled. */
final class MappedServiceImpl extends MappedServiceGrpc.MappedServiceImplBase {
  final BlockingQueue<Thing> received = new LinkedBlockingQueue<>();

  static String seen(Thing t) {
    return t.getSite() + "|" + t.getId() + "|" + t.getPath() + "|" + t.getText() + "|"
        + t.getData().toStringUtf8();
  }

  private void answer(Thing request, StreamObserver<Thing> out) {
    received.add(request);
    out.onNext(Thing.newBuilder().setSeen(seen(request)).build());
    out.onCompleted();
  }

  @Override
  public void get(Thing request, StreamObserver<Thing> out) {
    answer(request, out);
  }

  @Override
  public void put(Thing request, StreamObserver<Thing> out) {
    answer(request, out);
  }

  @Override
  public void note(Thing request, StreamObserver<Thing> out) {
    answer(request, out);
  }

  @Override
  public void plain(Thing request, StreamObserver<Thing> out) {
    answer(request, out);
  }

  @Override
  public void quick(Thing request, StreamObserver<Thing> out) {
    try {
      TimeUnit.MILLISECONDS.sleep(request.getDelayMs());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    answer(request, out);
  }

  @Override
  public void watch(Thing request, StreamObserver<Thing> out) {
    received.add(request);
    for (int i = 1; i <= 3; i++) {
      out.onNext(Thing.newBuilder().setSeen(request.getSite() + "#" + i).build());
    }
    out.onCompleted();
  }

  @Override
  public StreamObserver<Thing> upload(StreamObserver<Thing> out) {
    List<String> texts = new ArrayList<>();
    return new StreamObserver<>() {
      @Override
      public void onNext(Thing value) {
        received.add(value);
        texts.add(value.getText());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onNext(Thing.newBuilder().setSeen(String.join(",", texts)).build());
        out.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<Thing> chat(StreamObserver<Thing> out) {
    return new StreamObserver<>() {
      @Override
      public void onNext(Thing value) {
        received.add(value);
        out.onNext(Thing.newBuilder().setSeen("re:" + value.getText()).build());
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
