package io.grpcmqtt.gateway.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpcmqtt.gateway.store.StoredMessage;
import io.grpcmqtt.gateway.v1.ReceiveResponse;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.annotation.concurrent.GuardedBy;

/**
 * One Receive: answers as soon as at least one message could be leased, or empty when the wait is
 * over. While waiting it holds no thread: it is registered with {@link TopicSignals} and has one
 * timer armed, and each wake-up runs one claim on the work executor.
 */
final class LongPoll implements TopicSignals.Waiter {
  private final Queues queues;
  private final GatewayExecutors executors;
  private final RequestRules.ReceiveParams params;
  private final ServerCallStreamObserver<ReceiveResponse> call;
  private final long deadlineNanos;
  private final long lease = ThreadLocalRandom.current().nextLong();

  @GuardedBy("this")
  private boolean running;

  @GuardedBy("this")
  private boolean again;

  @GuardedBy("this")
  private boolean done;

  @GuardedBy("this")
  private ScheduledFuture<?> timer;

  LongPoll(Queues queues, GatewayExecutors executors, RequestRules.ReceiveParams params,
      ServerCallStreamObserver<ReceiveResponse> call, long waitMillis) {
    this.queues = queues;
    this.executors = executors;
    this.params = params;
    this.call = call;
    this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
  }

  /** Runs the first attempt on the calling thread; registers to wait if it found nothing. */
  void start() {
    call.setOnCancelHandler(this::cancelled);
    synchronized (this) {
      running = true;
    }
    queues.streams().add(this);
    // Registered before the first claim, so a send that lands during it still wakes us.
    queues.signals().register(params.topic(), this);
    attempt();
  }

  @Override
  public void wake() {
    synchronized (this) {
      if (done) {
        return;
      }
      if (running) {
        again = true;
        return;
      }
      running = true;
    }
    executors.work().execute(this::attempt);
  }

  private void attempt() {
    while (true) {
      synchronized (this) {
        again = false;
        if (done) {
          running = false;
          return;
        }
      }
      List<StoredMessage> got;
      try {
        got = queues.claim(params.topic(), params.limit(), lease, params.visibilityTimeoutMs());
      } catch (StatusException e) {
        fail(e);
        return;
      }
      boolean timeUp = System.nanoTime() - deadlineNanos >= 0;
      synchronized (this) {
        if (got.isEmpty() && !timeUp) {
          if (again) {
            continue;
          }
          running = false;
          armTimerLocked();
          return;
        }
      }
      finish(got);
      return;
    }
  }

  /** Wakes at the end of the wait, or sooner to notice leases that expired meanwhile. */
  @GuardedBy("this")
  private void armTimerLocked() {
    if (timer != null) {
      timer.cancel(false);
    }
    long remaining = deadlineNanos - System.nanoTime();
    long delay = Math.max(0, Math.min(remaining, executors.pollIntervalNanos()));
    timer = executors.timers().schedule(this::wake, delay, TimeUnit.NANOSECONDS);
  }

  private void finish(List<StoredMessage> got) {
    boolean ended;
    synchronized (this) {
      ended = done || call.isCancelled();
      done = true;
      running = false;
      if (timer != null) {
        timer.cancel(false);
      }
    }
    queues.signals().unregister(params.topic(), this);
    queues.streams().remove(this);
    if (ended) {
      // Nobody will see them: hand them to the next consumer now, not after the timeout.
      queues.release(params.topic(), lease, got.stream().map(StoredMessage::id).toList());
      return;
    }
    ReceiveResponse.Builder response = ReceiveResponse.newBuilder();
    for (StoredMessage m : got) {
      response.addMessages(Protos.toMessage(m));
    }
    call.onNext(response.build());
    call.onCompleted();
  }

  private void fail(StatusException e) {
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      running = false;
      if (timer != null) {
        timer.cancel(false);
      }
    }
    queues.signals().unregister(params.topic(), this);
    queues.streams().remove(this);
    if (!call.isCancelled()) {
      call.onError(e);
    }
  }

  private void cancelled() {
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      if (timer != null) {
        timer.cancel(false);
      }
    }
    queues.signals().unregister(params.topic(), this);
    queues.streams().remove(this);
  }

  /** Ends the wait early because the Gateway is stopping. */
  void shutdown() {
    fail(Status.UNAVAILABLE.withDescription("the Gateway is shutting down").asException());
  }
}
