package io.grpcmqtt.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.BooleanSupplier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.annotation.Nullable;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop load: {@code concurrency} callers, each starting its next call when the previous
 * one ends. Calls that start after the warm-up and end before the end of the measurement are
 * timed; throughput counts the calls that end within the measurement. Bounded in time (no call
 * starts after the end; stragglers get {@link #DRAIN_TIMEOUT_NANOS}) and in count.
 *
 * <p>A window so short that no call both started and ended in it (a smoke run on a busy machine:
 * 32 callers of 16 KiB each can take longer than 0.2 s) stays open until one has, at most {@link
 * #MAX_EXTENSION_NANOS} longer; throughput is then counted over the window's real length.
 *
 * <p>{@link #measuringJit} adds the JIT's compile time during the measurement to the outcome.
 */
final class ClosedLoop {
  /** One asynchronous call; exactly one of the two callbacks runs, on any thread. */
  interface Call {
    void start(Runnable done, Consumer<Throwable> failed);
  }

  static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int MAX_ERRORS = 100;
  private static final long PRIME_TIMEOUT_SECONDS = 10;
  private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
  static final long MAX_EXTENSION_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * For the rate scenarios' windows, the same rule: waits, at most {@link #MAX_EXTENSION_NANOS},
   * until {@code counted} has moved past {@code atStart} or {@code failed} says it never will.
   */
  static void extendUntilCounted(LongSupplier counted, long atStart, BooleanSupplier failed) {
    long limit = System.nanoTime() + MAX_EXTENSION_NANOS;
    while (counted.getAsLong() == atStart && !failed.getAsBoolean()
        && System.nanoTime() - limit < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  private final Call call;
  private final int concurrency;
  private final long warmupNanos;
  private final long measureNanos;
  private final long maxCalls;

  private final Recorder recorder = new Recorder(HIGHEST_NANOS, 3);
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong completedInWindow = new AtomicLong();
  private final AtomicLong measured = new AtomicLong();
  /** When the window closed (nanoTime), or 0 while it is open. */
  private final AtomicLong closedAt = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicReference<Throwable> firstError = new AtomicReference<>();
  private boolean measureJit;
  @Nullable private ServerProcess jitServer;
  private CountDownLatch finished;
  private long warmEnd;
  private long end;

  ClosedLoop(Call call, int concurrency, long warmupNanos, long measureNanos, long maxCalls) {
    this.call = call;
    this.concurrency = concurrency;
    this.warmupNanos = warmupNanos;
    this.measureNanos = measureNanos;
    this.maxCalls = maxCalls;
  }

  /**
   * Measures the JIT's compile time from the end of the warm-up until the last call has ended,
   * in this JVM and in {@code server} if there is one.
   */
  ClosedLoop measuringJit(@Nullable ServerProcess server) {
    this.measureJit = true;
    this.jitServer = server;
    return this;
  }

  /** Latency (ns), throughput and errors of one run. */
  static final class Outcome {
    final Histogram latency;
    final double throughputPerSec;
    final long errors;
    final Throwable firstError;
    final boolean drained;
    /** Context switches and CPU per call of the whole process ({@link KernelCounts}). */
    String kernel = "";
    /** What the JIT compiled during the measurement, if {@link #measuringJit} asked. */
    @Nullable JitTime jit;

    Outcome(Histogram latency, double throughputPerSec, long errors, Throwable firstError,
        boolean drained) {
      this.latency = latency;
      this.throughputPerSec = throughputPerSec;
      this.errors = errors;
      this.firstError = firstError;
      this.drained = drained;
    }
  }

  Outcome run() throws InterruptedException {
    prime();
    KernelCounts.Snapshot kernel = KernelCounts.snapshot();
    finished = new CountDownLatch(concurrency);
    long t0 = System.nanoTime();
    warmEnd = t0 + warmupNanos;
    end = warmEnd + measureNanos;
    for (int i = 0; i < concurrency; i++) {
      new Caller().next();
    }
    JitTime jitBefore = null;
    if (measureJit) {
      finished.await(Math.max(0, warmEnd - System.nanoTime()), TimeUnit.NANOSECONDS);
      jitBefore = JitTime.now(jitServer);
    }
    long wait = end - System.nanoTime() + MAX_EXTENSION_NANOS + DRAIN_TIMEOUT_NANOS;
    boolean drained = finished.await(Math.max(0, wait), TimeUnit.NANOSECONDS);
    JitTime jit = jitBefore == null ? null : JitTime.now(jitServer).since(jitBefore);
    long closed = closedAt.get();
    double seconds = (closed == 0 ? measureNanos : closed - warmEnd) / 1e9;
    Outcome outcome = new Outcome(recorder.getIntervalHistogram(),
        completedInWindow.get() / seconds, errors.get(), firstError.get(), drained);
    outcome.kernel = kernel.perCall(Math.min(started.get(), maxCalls), concurrency + " callers");
    outcome.jit = jit;
    return outcome;
  }

  /** One call before the clock starts, so lazy connects and first-call costs stay out of it. */
  private void prime() throws InterruptedException {
    CountDownLatch primed = new CountDownLatch(1);
    call.start(primed::countDown, t -> primed.countDown());
    primed.await(PRIME_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** Whether the measurement still runs at {@code now}; closes it once it is over. */
  private boolean windowOpen(long now) {
    if (closedAt.get() != 0) {
      return false;
    }
    if (now - end < 0) {
      return true;
    }
    if (measured.get() > 0 || now - (end + MAX_EXTENSION_NANOS) >= 0) {
      closedAt.compareAndSet(0, now);
      return false;
    }
    return true;
  }

  private final class Caller {
    private long startedAt;

    void next() {
      long now = System.nanoTime();
      if (!windowOpen(now) || started.incrementAndGet() > maxCalls
          || errors.get() >= MAX_ERRORS) {
        finished.countDown();
        return;
      }
      startedAt = now;
      call.start(this::completed, this::failed);
    }

    private void completed() {
      long now = System.nanoTime();
      if (now - warmEnd >= 0 && windowOpen(now)) {
        completedInWindow.incrementAndGet();
        if (startedAt - warmEnd >= 0) {
          recorder.recordValue(Math.min(HIGHEST_NANOS, now - startedAt));
          measured.incrementAndGet();
        }
      }
      next();
    }

    private void failed(Throwable t) {
      errors.incrementAndGet();
      firstError.compareAndSet(null, t);
      next();
    }
  }
}
