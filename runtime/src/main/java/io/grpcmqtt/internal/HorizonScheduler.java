package io.grpcmqtt.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The runtime's scheduler: a {@link ScheduledThreadPoolExecutor} that, while any other task is
 * queued, keeps a task of its own (the horizon) due at most {@value #HORIZON_MILLIS} ms ahead.
 *
 * <p>Why: the JDK's executor wakes one of its threads whenever a new task becomes the earliest in
 * its queue, so that the thread can shorten its wait. A call's deadline, seconds away and almost
 * always cancelled long before it fires, is the earliest task whenever no other timer is pending:
 * in a client process that runs one call at a time that is every call, a futex wake and two
 * context switches per call for nothing (docs/benchmarks.md measured one timer wake-up per call
 * in the separate-process bench). With the horizon queued, a task due later than the horizon is
 * never the earliest, and the threads sleep on. Tasks due sooner are scheduled exactly as before.
 *
 * <p>The horizon re-queues itself only while other tasks wait, so an idle process's timer threads
 * stay parked. A task scheduled in the instant the horizon ends is merely scheduled as without
 * it (its thread may be woken once); timing and order of every task are the JDK executor's.
 */
final class HorizonScheduler extends ScheduledThreadPoolExecutor {
  /** How far ahead the horizon is due: deadlines longer than this never wake a timer thread. */
  static final long HORIZON_MILLIS = 100;

  private final long horizonNanos;

  /** Whether the horizon is queued (or being queued): at most one is. */
  private final AtomicBoolean horizonQueued = new AtomicBoolean();

  HorizonScheduler(int threads, ThreadFactory threadFactory) {
    this(threads, threadFactory, TimeUnit.MILLISECONDS.toNanos(HORIZON_MILLIS));
  }

  /** With another horizon than {@link #HORIZON_MILLIS}: for tests. */
  HorizonScheduler(int threads, ThreadFactory threadFactory, long horizonNanos) {
    super(threads, threadFactory);
    this.horizonNanos = horizonNanos;
  }

  // Both hooks run for every task scheduled, before it is queued: the horizon goes in first, so
  // the task itself does not become the earliest.
  @Override
  protected <V> RunnableScheduledFuture<V> decorateTask(
      Runnable runnable, RunnableScheduledFuture<V> task) {
    keepHorizon();
    return task;
  }

  @Override
  protected <V> RunnableScheduledFuture<V> decorateTask(
      Callable<V> callable, RunnableScheduledFuture<V> task) {
    keepHorizon();
    return task;
  }

  private void keepHorizon() {
    if (horizonQueued.get() || !horizonQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      // Scheduling it calls decorateTask again, which finds the flag set.
      @SuppressWarnings("unused") // it ends itself once the queue holds nothing else
      ScheduledFuture<?> unused = schedule(this::horizonReached, horizonNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      horizonQueued.set(false);
    }
  }

  private void horizonReached() {
    horizonQueued.set(false);
    if (!getQueue().isEmpty()) {
      keepHorizon();
    }
  }
}
