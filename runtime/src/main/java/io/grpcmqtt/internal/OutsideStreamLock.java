package io.grpcmqtt.internal;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import javax.annotation.Nullable;

/**
 * A stream's publish callback that never runs under the stream's lock. Streams publish while they
 * hold their lock (to keep frames in sequence order), and a publish can fail at once, on the
 * publishing thread (a string MQTT refuses, a frame over the broker's packet limit, a closed
 * connection): the callback would then end the call, and run its listeners, with the lock still
 * held. Instead the outcome is queued on the stream's {@link StreamTasks}: run at once
 * when it arrives on another thread (a PUBACK on the client library's thread), else by the drain
 * every stream method does after it releases its lock.
 *
 * <p>A callback made for one publish extends this class, and the outcome it hears is kept in its
 * fields and run from there: no wrapper and no task object per publish. A callback shared by many
 * publishes is wrapped per publish by {@link #wrap}.
 */
abstract class OutsideStreamLock implements TransportConnection.PublishCallback, Runnable {
  private static final AtomicIntegerFieldUpdater<OutsideStreamLock> HEARD =
      AtomicIntegerFieldUpdater.newUpdater(OutsideStreamLock.class, "heard");

  private final Object streamLock;
  private final StreamTasks sync;
  /** 1 once an outcome was kept in the fields below (the connection reports one per publish). */
  private volatile int heard;
  private int reasonCode;
  private boolean failure;
  @Nullable private Throwable cause;

  /**
   * @param streamLock the stream's lock
   * @param sync the stream's context, which the stream drains after every block that publishes
   *     under {@code streamLock}
   */
  OutsideStreamLock(Object streamLock, StreamTasks sync) {
    this.streamLock = streamLock;
    this.sync = sync;
  }

  /**
   * {@code next}, run through {@code sync} and never while the current thread holds {@code
   * streamLock}. The stream must drain {@code sync} after every block that publishes under it.
   * Returned as it is when it already is such a callback, or ignores every outcome.
   */
  static TransportConnection.PublishCallback wrap(
      Object streamLock, StreamTasks sync, TransportConnection.PublishCallback next) {
    if (next == TransportConnection.IGNORE || next instanceof OutsideStreamLock) {
      return next;
    }
    return new Wrapped(streamLock, sync, next);
  }

  /** The broker took the message; runs outside the stream's lock. */
  abstract void onPublished(int reasonCode);

  /**
   * Takes, on the thread that reports it, an outcome that calls no listener and changes no more
   * than a field under the stream's lock, and says so: nothing is then queued or drained (a request
   * whose PUBACK says it reached a subscriber). False by default: {@link #onPublished} runs.
   */
  boolean tookAtOnce(int reasonCode) {
    return false;
  }

  /** The publish failed; runs outside the stream's lock. */
  abstract void onFailed(Throwable cause);

  @Override
  public final void published(int reasonCode) {
    if (tookAtOnce(reasonCode)) {
      return;
    }
    if (HEARD.compareAndSet(this, 0, 1)) {
      this.reasonCode = reasonCode;
      schedule(this);
    } else {
      schedule(() -> onPublished(reasonCode)); // a second report: kept apart from the first
    }
  }

  @Override
  public final void failed(Throwable cause) {
    if (HEARD.compareAndSet(this, 0, 1)) {
      this.failure = true;
      this.cause = cause;
      schedule(this);
    } else {
      schedule(() -> onFailed(cause));
    }
  }

  /** The outcome kept in the fields; {@link StreamTasks} runs it. */
  @Override
  public final void run() {
    if (failure) {
      onFailed(cause);
    } else {
      onPublished(reasonCode);
    }
  }

  private void schedule(Runnable outcome) {
    sync.executeLater(outcome);
    if (!Thread.holdsLock(streamLock)) {
      sync.drain();
    }
  }

  /** A callback that serves many publishes, run outside the lock per publish. */
  private static final class Wrapped extends OutsideStreamLock {
    private final TransportConnection.PublishCallback next;

    Wrapped(
        Object streamLock, StreamTasks sync, TransportConnection.PublishCallback next) {
      super(streamLock, sync);
      this.next = next;
    }

    @Override
    void onPublished(int reasonCode) {
      next.published(reasonCode);
    }

    @Override
    void onFailed(Throwable cause) {
      next.failed(cause);
    }
  }
}
