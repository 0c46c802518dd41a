package io.grpcmqtt.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of the threads the runtime starts itself: a scheduler for every timed task, an
 * executor for the work that waits for a broker (connect, close), and the default call executor.
 * Shared by every channel, server and MQTT connection of the process, and reference counted: each
 * of them holds a {@link Lease} from creation to termination, and when the last lease is released
 * all three are shut down, so a process that has closed its channels and servers keeps none of
 * these threads. All of them are daemon threads.
 *
 * <ul>
 *   <li><b>The scheduler</b> ({@value #TIMER}N, {@value #TIMER_THREADS} threads): deadlines of
 *       client and server calls (grpc-java asks the transports for it), a server's client probes
 *       and barrier timeout, {@link ChunkAssembler}'s reassembly check, the client transport's
 *       no-subscriber re-checks, {@link PahoMqttConnection}'s 32202 retry and reconnect back-off. Its
 *       tasks must not block. Cancelled tasks leave its queue at once (a call's deadline is
 *       cancelled when the call ends); delayed tasks are dropped when it shuts down. A
 *       {@link HorizonScheduler}: scheduling a deadline does not wake its threads.
 *   <li><b>The blocking executor</b> ({@value #BLOCKING}N, at most {@link #BLOCKING_THREADS},
 *       idle ones end after {@value #IDLE_SECONDS} s): a channel transport's connect, every
 *       transport's close, a Paho reconnect. These wait for the broker, which no delivery or timer
 *       thread may.
 *   <li><b>The default call executor</b> ({@value #CALLS}N): service handlers and call listeners
 *       of channels and servers given no executor. A {@link CallPool}: one queue served by about as
 *       many runners as cores, which take the next task without parking while one is queued (a
 *       burst of replies wakes a thread per core, not one per call), plus runners whenever the
 *       oldest queued task has waited {@value CallPool#WATCH_MILLIS} ms: handlers may block, and one
 *       that makes a blocking call to a service in the same process must not starve it
 *       ({@code BlockingCallsTest}). Tasks nothing waits for (a server call's final callbacks)
 *       go to it lazily ({@link #executeCallLazily}), waking no runner. Idle runners end after
 *       60 s. docs/benchmarks.md measured it against the cached pool, which
 *       {@code -Dgrpcmqtt.callExecutor=cached} restores.
 * </ul>
 */
final class RuntimeExecutors {
  private static final Logger log = LoggerFactory.getLogger(RuntimeExecutors.class);

  static final String TIMER = "grpc-mqtt-timer-";
  static final String BLOCKING = "grpc-mqtt-blocking-";
  static final String CALLS = "grpc-mqtt-executor-";
  private static final int TIMER_THREADS = 2;
  /** Enough for many transports connecting at once; more wait their turn. */
  static final int BLOCKING_THREADS = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());

  private static final int IDLE_SECONDS = 10;

  /**
   * Which pool the default call executor is, for measuring them against each other in the bench:
   * {@code elastic} (the default, {@link CallPool}), {@code cached} (grpc-java's kind: a thread per
   * task that finds none idle, each hand-off an unpark) or {@code forkjoin} (async mode,
   * parallelism = cores; starves blocking handlers). {@code grpcmqtt.callPoolRunners} (default:
   * the cores) sets how many runners the elastic pool keeps awake.
   */
  private static final String CALL_POOL = System.getProperty("grpcmqtt.callExecutor", "elastic");

  private static final Object LOCK = new Object();

  /**
   * The executors while any lease is held. Written under {@code LOCK}; read without it by every
   * task of the default call executor, which must not contend on a lock (hence not
   * {@code @GuardedBy}).
   */
  @Nullable private static volatile RuntimeExecutors current;

  @GuardedBy("LOCK")
  private static int leases;

  /** The default call executor: see {@link #defaultCallExecutor}. */
  private static final Executor DEFAULT_CALLS = RuntimeExecutors::executeCall;

  private final ScheduledThreadPoolExecutor scheduler;
  private final ThreadPoolExecutor blocking;
  private final ExecutorService calls;

  private RuntimeExecutors() {
    scheduler = new HorizonScheduler(TIMER_THREADS, daemonThreads(TIMER));
    // A call's deadline is cancelled when the call ends: without this, every call would leave
    // its 30 s timer in the queue until it fires.
    scheduler.setRemoveOnCancelPolicy(true);
    // Timed work of closed channels and servers (a reconnect back-off, a reassembly check) must
    // not keep the threads alive after the last lease is gone.
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    scheduler.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    blocking = new ThreadPoolExecutor(
        BLOCKING_THREADS, BLOCKING_THREADS, IDLE_SECONDS, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemonThreads(BLOCKING));
    blocking.allowCoreThreadTimeOut(true);
    calls = newCallPool();
  }

  private ExecutorService newCallPool() {
    if ("forkjoin".equals(CALL_POOL)) {
      AtomicInteger n = new AtomicInteger();
      return new ForkJoinPool(
          Runtime.getRuntime().availableProcessors(),
          pool -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName(CALLS + n.getAndIncrement());
            t.setDaemon(true);
            return t;
          },
          null,
          true);
    }
    if ("cached".equals(CALL_POOL)) {
      // Like grpc-java's default executor: threads as needed, idle ones end after a minute.
      return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
          new SynchronousQueue<>(), daemonThreads(CALLS));
    }
    return new CallPool(scheduler, daemonThreads(CALLS),
        Integer.getInteger("grpcmqtt.callPoolRunners", Runtime.getRuntime().availableProcessors()));
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    };
  }

  /** A lease on the shared executors; creates them when no other lease is held. */
  static Lease acquire() {
    synchronized (LOCK) {
      if (current == null) {
        current = new RuntimeExecutors();
      }
      leases++;
      return new Lease(current);
    }
  }

  /** How many leases are held: for tests. */
  static int leases() {
    synchronized (LOCK) {
      return leases;
    }
  }

  /**
   * The call executor of a channel or server given none. Its tasks run on the pool of the owner
   * current at the time; a task that comes after the last lease ended (a late callback of a
   * closed channel) gets a pool of its own, which ends with the task.
   */
  static Executor defaultCallExecutor() {
    return DEFAULT_CALLS;
  }

  private static void executeCall(Runnable task) {
    RuntimeExecutors owner = current;
    if (owner != null) {
      try {
        owner.calls.execute(task);
        return;
      } catch (RejectedExecutionException shutDown) {
        // Released meanwhile: below.
      }
    }
    executeOnOwnPool(task);
  }

  /**
   * Runs {@code task} on the default call executor without waking a thread for it, where that is a
   * {@link CallPool} ({@link CallPool#executeLazily}); the other kinds run it as any task.
   */
  static void executeCallLazily(Runnable task) {
    RuntimeExecutors owner = current;
    if (owner != null && owner.calls instanceof CallPool) {
      try {
        ((CallPool) owner.calls).executeLazily(task);
        return;
      } catch (RejectedExecutionException shutDown) {
        // Released meanwhile: below.
      }
    }
    executeCall(task);
  }

  private static void executeOnOwnPool(Runnable task) {
    Lease own = acquire();
    try {
      own.executors.calls.execute(task);
    } finally {
      own.release();
    }
  }

  private void shutdown() {
    scheduler.shutdown();
    blocking.shutdown();
    calls.shutdown();
  }

  /**
   * One holder's claim on the shared executors, from its creation to its termination. Released
   * once ({@link #release} is idempotent); whatever a holder hands over after that still runs.
   */
  static final class Lease {
    private final RuntimeExecutors executors;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(RuntimeExecutors executors) {
      this.executors = executors;
    }

    /** The scheduler, for grpc-java (deadlines, which it cancels when a call ends). */
    ScheduledExecutorService scheduler() {
      return executors.scheduler;
    }

    /**
     * Runs {@code task} on the scheduler after {@code delay}; it must not block. Once the owner has
     * shut down (the last channel, server or connection is gone, and with it whoever the task was
     * for) the task is dropped.
     */
    void schedule(Runnable task, long delay, TimeUnit unit) {
      try {
        @SuppressWarnings("unused") // nothing cancels these; a task that fails logs itself
        Future<?> unused = executors.scheduler.schedule(task, delay, unit);
      } catch (RejectedExecutionException shutDown) {
        log.debug("timed task dropped: the runtime's executors are shut down");
      }
    }

    /**
     * Runs {@code task}, which may wait for the broker, on the blocking executor; its thread is
     * named after {@code what} (e.g. "connect my-client-id") while it runs, for thread dumps.
     */
    void runBlocking(String what, Runnable task) {
      Runnable named = () -> {
        Thread t = Thread.currentThread();
        String name = t.getName();
        t.setName(name + " " + what);
        try {
          task.run();
        } finally {
          t.setName(name);
        }
      };
      try {
        executors.blocking.execute(named);
      } catch (RejectedExecutionException shutDown) {
        // This holder released its lease before its last close (a transport shut down while it
        // was still connecting): run it on executors held for the task alone.
        Lease own = acquire();
        own.executors.blocking.execute(() -> {
          try {
            named.run();
          } finally {
            own.release();
          }
        });
      }
    }

    /** Ends this claim; the last one shuts the executors down (running tasks finish). */
    void release() {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      synchronized (LOCK) {
        if (--leases > 0) {
          return;
        }
        if (current != null) {
          current.shutdown();
          current = null;
        }
      }
    }
  }
}
