package io.grpcmqtt.gateway.internal;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpcmqtt.gateway.store.StoredMessage;
import io.grpcmqtt.gateway.v1.ReceiveResponse;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;

/**
 * One Receive: answers as soon as at least one message could be leased, or empty when the wait is
 * over. While waiting it holds no thread: it is registered with {@link TopicSignals} and has one
 * timer armed, and each wake-up runs one claim on the work executor.
 *
 * <p>The wait also ends early enough for the answer to beat the call's deadline: it keeps free
 * what answering takes — one more claim (twice the slowest this Receive has made: a loaded store
 * is slow for all of them) and {@value #ANSWER_MARGIN_MILLIS} ms for the answer's way back — so a
 * caller whose deadline is shorter than its {@code max_wait_ms} gets an empty answer, not {@code
 * DEADLINE_EXCEEDED}.
 */
final class LongPoll implements TopicSignals.Waiter {
  /** Kept free before the call's deadline for the answer to travel back, besides its claim. */
  static final long ANSWER_MARGIN_MILLIS = 500;

  private final Queues queues;
  private final GatewayExecutors executors;
  private final RequestRules.ReceiveParams params;
  private final ServerCallStreamObserver<ReceiveResponse> call;
  /** When {@code max_wait_ms} is over. */
  private final long waitEndNanos;
  /** The call's deadline, or null for none. */
  @Nullable private final Long callDeadlineNanos;
  private final long lease = ThreadLocalRandom.current().nextLong();

  /** The longest claim so far: what answering at the end will take again. */
  @GuardedBy("this")
  private long slowestClaimNanos;

  @GuardedBy("this")
  private boolean running;

  @GuardedBy("this")
  private boolean again;

  @GuardedBy("this")
  private boolean done;

  @GuardedBy("this")
  private ScheduledFuture<?> timer;

  /** @param deadline the call's deadline, or null for none */
  LongPoll(Queues queues, GatewayExecutors executors, RequestRules.ReceiveParams params,
      ServerCallStreamObserver<ReceiveResponse> call, @Nullable Deadline deadline) {
    this.queues = queues;
    this.executors = executors;
    this.params = params;
    this.call = call;
    long now = System.nanoTime();
    this.waitEndNanos = now + TimeUnit.MILLISECONDS.toNanos(params.maxWaitMs());
    this.callDeadlineNanos = deadline == null ? null : now + deadline.timeRemaining(TimeUnit.NANOSECONDS);
  }

  /** When the wait ends: at the end of {@code max_wait_ms}, or before the deadline with room to answer. */
  @GuardedBy("this")
  private long endNanos() {
    if (callDeadlineNanos == null) {
      return waitEndNanos;
    }
    long answer = TimeUnit.MILLISECONDS.toNanos(ANSWER_MARGIN_MILLIS) + 2 * slowestClaimNanos;
    long cut = callDeadlineNanos - answer;
    return cut - waitEndNanos < 0 ? cut : waitEndNanos;
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
      long t0 = System.nanoTime();
      try {
        got = queues.claim(params.topic(), params.limit(), lease, params.visibilityTimeoutMs());
      } catch (StatusException e) {
        fail(e);
        return;
      }
      long now = System.nanoTime();
      synchronized (this) {
        slowestClaimNanos = Math.max(slowestClaimNanos, now - t0);
        boolean timeUp = now - endNanos() >= 0;
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
    long remaining = endNanos() - System.nanoTime();
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
