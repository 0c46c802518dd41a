package io.grpcmqtt.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The default call executor: one FIFO queue served by about as many runner threads as there are
 * cores, which grows when its runners block.
 *
 * <p>Why not a cached pool: a cached pool hands every task to a parked thread of its own (a
 * {@code SynchronousQueue}), so a burst of replies at 32 concurrent calls wakes one thread per call
 * on a 2-core machine, each wake-up a futex call and a context switch. Here a runner that finishes
 * a task takes the next one from the queue without parking, and a task wakes a parked runner only
 * while fewer than {@link #target} runners are awake: a burst costs a wake-up per core, not one
 * per call.
 *
 * <p>Why not a fixed pool sized to the cores: handlers may block, even on a call to a service of
 * the same process, whose handler then needs a thread of its own. A watchdog on the runtime's
 * scheduler looks, every {@link #WATCH_MILLIS} ms while tasks are queued, at how long the oldest
 * one has waited; past {@link #WATCH_MILLIS} ms the runners cannot keep up (they are blocked, or
 * their tasks are long) and it adds as many as wait, but at most as many as there are: the pool
 * can double every period. The rule is the task's wait, not whether the queue moved: with
 * handlers that block for 100 ms, a queue that moves every few ms can still grow without end,
 * and a pool that grew only while nothing moved would stop at about 100 ms / 5 ms = 20 runners
 * whatever the load. The same check takes a runner whose task has run for a period out of the
 * count of awake runners until that task ends, so handlers that hold runners for long (blocked,
 * or serving a long stream) do not make every later task wait for the check. Runners beyond the
 * ones needed end after {@link #IDLE_NANOS} idle, as the cached pool's threads did.
 *
 * <p>A runner that finds the queue empty parks at once: spinning 50 µs first was measured slower
 * at one caller and no faster at 32 on 2 cores, where a spinning runner takes a core from the
 * connection's threads.
 *
 * <p>Lazy tasks ({@link #executeLazily}) wait in a second queue and wake no runner: work nothing
 * waits for, such as a server call's final callbacks after its reply has left, which would
 * otherwise be a wake-up of its own per call. A runner takes one only when no ordinary task waits,
 * just before it would park; the watchdog moves one that has waited a period to the ordinary queue,
 * so it runs within a few ms on an idle pool and is not starved by ordinary tasks that never run
 * out.
 */
final class CallPool extends AbstractExecutorService {
  /** How often the watchdog looks at the queue while tasks wait in it. */
  static final long WATCH_MILLIS = 5;

  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final ScheduledExecutorService scheduler;
  private final ThreadFactory threads;
  /** How many runners may be awake before a new task stops waking parked ones. */
  private final int target;
  /** The watchdog's period, and how long a task waits before it counts as behind. */
  private final long watchNanos;

  private final ConcurrentLinkedQueue<Queued> queue = new ConcurrentLinkedQueue<>();
  /**
   * Tasks that wake no runner ({@link #executeLazily}): a runner takes one only when {@link #queue}
   * is empty, before it parks; the watchdog moves one that has waited a period into {@link #queue}.
   */
  private final ConcurrentLinkedQueue<Queued> lazy = new ConcurrentLinkedQueue<>();
  /** Tasks in {@link #queue}: its own size() walks it. */
  private final AtomicInteger queued = new AtomicInteger();
  /** Parked runners, the most recently parked first: the others are the ones that time out. */
  private final ConcurrentLinkedDeque<Runner> parked = new ConcurrentLinkedDeque<>();
  /**
   * Runners not parked (running a task or looking for one), less those the watchdog found held
   * by one task for longer than a period: a handler that blocks, or a long stream, must not keep
   * every later task waiting for the watchdog.
   */
  private final AtomicInteger awake = new AtomicInteger();
  /** Every runner alive: how many there are, and for the watchdog to find the held ones. */
  private final Set<Runner> all = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean watching = new AtomicBoolean();
  /**
   * Whether a lazy task came since the watchdog last looked: while they keep coming (one per call)
   * it keeps looking instead of stopping and being started again, each start a timer wake-up.
   */
  private volatile boolean lazyCame;
  private final AtomicBoolean shutDown = new AtomicBoolean();

  CallPool(ScheduledExecutorService scheduler, ThreadFactory threads, int target) {
    this(scheduler, threads, target, TimeUnit.MILLISECONDS.toNanos(WATCH_MILLIS));
  }

  /** With another watchdog period than {@link #WATCH_MILLIS}: for tests. */
  CallPool(ScheduledExecutorService scheduler, ThreadFactory threads, int target, long watchNanos) {
    this.scheduler = scheduler;
    this.threads = threads;
    this.target = Math.max(1, target);
    this.watchNanos = watchNanos;
  }

  @Override
  public void execute(Runnable task) {
    if (shutDown.get()) {
      throw new RejectedExecutionException("call pool shut down");
    }
    enqueue(new Queued(task, System.nanoTime()));
  }

  /**
   * Runs {@code task} soon, without waking a parked runner for it: for work nothing waits for (a
   * server call's final callbacks, after its reply has left). A runner that finds no ordinary task
   * runs it before it parks, and ordinary tasks always go first; one that has waited a watchdog
   * period (an idle pool, or ordinary tasks that never run out) becomes an ordinary task, so it
   * runs within about two periods of a runner being free.
   */
  void executeLazily(Runnable task) {
    if (shutDown.get()) {
      throw new RejectedExecutionException("call pool shut down");
    }
    lazy.offer(new Queued(task, System.nanoTime()));
    if (!lazyCame) {
      lazyCame = true;
    }
    watch();
  }

  private void enqueue(Queued task) {
    queue.offer(task);
    queued.incrementAndGet();
    // Read after the offer: a runner going to park lowers `awake` before it looks at the queue a
    // last time, so one of the two sees the other.
    if (awake.get() < target || shutDown.get()) {
      wakeOne();
    } else {
      // The task waits for a busy runner, which may be blocked.
      watch();
    }
  }

  /** Wakes the most recently parked runner, or starts one when none is parked. */
  private void wakeOne() {
    Runner r = parked.pollFirst();
    if (r != null) {
      awake.incrementAndGet();
      r.woken = true;
      LockSupport.unpark(r.thread);
    } else {
      startRunner();
    }
  }

  private void startRunner() {
    awake.incrementAndGet();
    Runner r = new Runner();
    all.add(r);
    r.thread = threads.newThread(r);
    r.thread.start();
  }

  /** Starts the watchdog unless it runs; it stops itself once both queues are empty. */
  private void watch() {
    if (watching.get() || !watching.compareAndSet(false, true)) {
      return;
    }
    checkLater();
  }

  /**
   * The watchdog: lazy tasks that waited a period become ordinary ones, and more runners while the
   * oldest ordinary task waits too long, until both queues are empty.
   */
  private void check() {
    long now = System.nanoTime();
    for (Queued late; (late = lazy.peek()) != null && now - late.since >= watchNanos; ) {
      if (lazy.remove(late)) {
        enqueue(new Queued(late.task, now));
      }
    }
    Queued oldest = queue.peek();
    if (oldest == null && lazy.isEmpty()) {
      if (lazyCame) {
        lazyCame = false;
        checkLater(); // lazy tasks still come: stopping now would mean a restart at the next one
        return;
      }
      watching.set(false);
      // A task offered between the check and the reset would find the flag still set: look again.
      if (!queue.isEmpty() || !lazy.isEmpty()) {
        watch();
      }
      return;
    }
    if (oldest != null && now - oldest.since >= watchNanos) {
      // Runners held by one task for a period no longer count as awake, so later tasks wake
      // parked runners at once instead of waiting for this check again.
      for (Runner r : all) {
        r.discountIfHeld(now);
      }
      // The awake runners are all busy and do not keep up: add as many as wait, at most doubling.
      int more = Math.max(1, Math.min(queued.get(), all.size()));
      for (int i = 0; i < more; i++) {
        wakeOne();
      }
    }
    checkLater();
  }

  private void checkLater() {
    try {
      @SuppressWarnings("unused") // nothing cancels it: it ends itself once the queue is empty
      Future<?> unused = scheduler.schedule(this::check, WATCH_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException schedulerDown) {
      watching.set(false);
    }
  }

  /** A task and when it was queued: the watchdog's measure of how far behind the runners are. */
  private static final class Queued {
    final Runnable task;
    final long since;

    Queued(Runnable task, long since) {
      this.task = task;
      this.since = since;
    }
  }

  private final class Runner implements Runnable {
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    /** Running, and taken out of {@link #awake} by the watchdog. */
    private static final int HELD = 2;

    Thread thread;
    volatile boolean woken;
    /** When the current task started; read by the watchdog after {@link #state}. */
    private volatile long taskStart;
    private final AtomicInteger state = new AtomicInteger(IDLE);

    /** The watchdog's half: a task running for a period takes its runner out of the count. */
    void discountIfHeld(long now) {
      if (state.get() == RUNNING && now - taskStart >= watchNanos
          && state.compareAndSet(RUNNING, HELD)) {
        awake.decrementAndGet();
      }
    }

    @Override
    public void run() {
      try {
        while (true) {
          Runnable task = next();
          if (task == null) {
            return;
          }
          runTask(task);
        }
      } finally {
        all.remove(this);
      }
    }

    /** The next task, parking while there is none; null when this runner ends. */
    private Runnable next() {
      Queued task = queue.poll();
      while (task == null) {
        Queued soon = lazy.poll();
        if (soon != null) {
          return soon.task; // not counted in `queued`
        }
        if (shutDown.get()) {
          awake.decrementAndGet();
          return null;
        }
        woken = false;
        parked.addFirst(this);
        awake.decrementAndGet();
        if (!queue.isEmpty() || shutDown.get()) {
          // Came while this runner was about to park: take it back unless a waker got here first.
          if (parked.remove(this)) {
            awake.incrementAndGet();
            task = queue.poll();
            continue;
          }
        }
        long deadline = System.nanoTime() + IDLE_NANOS;
        while (!woken) {
          long left = deadline - System.nanoTime();
          if (left <= 0 && parked.remove(this)) {
            return null; // idle too long, and no waker has it: end (awake is already lowered)
          }
          LockSupport.parkNanos(this, Math.max(left, TimeUnit.MILLISECONDS.toNanos(1)));
        }
        task = queue.poll();
      }
      queued.decrementAndGet();
      return task.task;
    }

    private void runTask(Runnable task) {
      taskStart = System.nanoTime();
      state.set(RUNNING);
      try {
        task.run();
      } catch (Throwable t) {
        // As a pool thread that dies of it would report it; the runner lives on.
        thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
      } finally {
        if (!state.compareAndSet(RUNNING, IDLE)) {
          // The watchdog took this runner out of the count while it was held: it is back.
          state.set(IDLE);
          awake.incrementAndGet();
        }
      }
    }
  }

  /** Queued tasks still run; then the runners end. */
  @Override
  public void shutdown() {
    shutDown.set(true);
    for (Runner r; (r = parked.pollFirst()) != null; ) {
      awake.incrementAndGet();
      r.woken = true;
      LockSupport.unpark(r.thread);
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown();
    List<Runnable> left = new ArrayList<>();
    for (Queued q; (q = queue.poll()) != null; ) {
      queued.decrementAndGet();
      left.add(q.task);
    }
    for (Queued q; (q = lazy.poll()) != null; ) {
      left.add(q.task);
    }
    return left;
  }

  /** How many runners are parked: for tests. */
  int parkedRunners() {
    return parked.size();
  }

  @Override
  public boolean isShutdown() {
    return shutDown.get();
  }

  @Override
  public boolean isTerminated() {
    return shutDown.get() && all.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (!isTerminated()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(1);
    }
    return true;
  }
}
