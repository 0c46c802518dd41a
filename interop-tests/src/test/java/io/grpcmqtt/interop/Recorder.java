package io.grpcmqtt.interop;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Collects what a call's response observer hears. */
final class Recorder<T> implements StreamObserver<T> {
  private final List<T> values = new CopyOnWriteArrayList<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private final CountDownLatch first = new CountDownLatch(1);
  private volatile Throwable error;

  @Override
  public void onNext(T value) {
    values.add(value);
    first.countDown();
  }

  @Override
  public void onError(Throwable t) {
    error = t;
    done.countDown();
    first.countDown();
  }

  @Override
  public void onCompleted() {
    done.countDown();
    first.countDown();
  }

  /** Waits for the end of the call; fails after {@code seconds}. */
  Recorder<T> await(int seconds) throws InterruptedException {
    if (!done.await(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("the call did not end within " + seconds + " s");
    }
    return this;
  }

  /** The first response, waiting for it. */
  T first() throws InterruptedException {
    if (!first.await(10, TimeUnit.SECONDS) || values.isEmpty()) {
      throw new AssertionError("no response within 10 s", error);
    }
    return values.get(0);
  }

  List<T> values() {
    return values;
  }

  /** The call's status: OK when it completed. */
  Status status() {
    return error == null ? Status.OK : Status.fromThrowable(error);
  }

  /** Fails with the call's error, if it had one. */
  Recorder<T> assertSuccess() {
    if (error != null) {
      throw new AssertionError("the call failed", error);
    }
    return this;
  }
}
