package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The default call pool: order, growth behind blocked runners, lazy tasks, shutdown. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CallPoolTest {
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
  private final AtomicInteger threads = new AtomicInteger();
  private final CallPool pool = newPool(TimeUnit.MILLISECONDS.toNanos(CallPool.WATCH_MILLIS));
  /** A pool whose watchdog never finds a task late: only runners run lazy tasks. */
  private final CallPool noLateTasks = newPool(TimeUnit.HOURS.toNanos(1));

  private CallPool newPool(long watchNanos) {
    return new CallPool(scheduler, r -> {
      threads.incrementAndGet();
      Thread t = new Thread(r, "call-pool-test");
      t.setDaemon(true);
      return t;
    }, 1, watchNanos);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (CallPool p : List.of(pool, noLateTasks)) {
      p.shutdownNow();
      assertTrue(p.awaitTermination(10, TimeUnit.SECONDS), "runners end after shutdown");
    }
    scheduler.shutdownNow();
  }

  @Test
  void aLazyTaskWakesNoRunnerAndRunsAfterTheNextOrdinaryOneBeforeTheRunnerParks() {
    noLateTasks.execute(() -> {});
    await().atMost(Duration.ofSeconds(10)).until(() -> noLateTasks.parkedRunners() == 1);
    ConcurrentLinkedQueue<String> ran = new ConcurrentLinkedQueue<>();
    noLateTasks.executeLazily(() -> ran.add("lazy"));
    assertEquals(1, noLateTasks.parkedRunners(), "a lazy task woke the parked runner");
    noLateTasks.execute(() -> ran.add("ordinary"));
    await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 2);
    assertEquals(List.of("ordinary", "lazy"), List.copyOf(ran));
  }

  @Test
  void ordinaryTasksGoBeforeLazyOnesQueuedEarlier() throws InterruptedException {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    noLateTasks.execute(holdUntil(running, release));
    assertTrue(running.await(10, TimeUnit.SECONDS));
    ConcurrentLinkedQueue<String> ran = new ConcurrentLinkedQueue<>();
    noLateTasks.executeLazily(() -> ran.add("lazy"));
    noLateTasks.execute(() -> ran.add("first"));
    noLateTasks.execute(() -> ran.add("second"));
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 3);
    assertEquals(List.of("first", "second", "lazy"), List.copyOf(ran));
  }

  @Test
  void aLazyTaskOnAnIdlePoolRunsOnceTheWatchdogFindsItLate() throws InterruptedException {
    pool.execute(() -> {});
    await().atMost(Duration.ofSeconds(10)).until(() -> pool.parkedRunners() == 1);
    CountDownLatch ran = new CountDownLatch(1);
    pool.executeLazily(ran::countDown); // no ordinary task comes to wake the runner
    assertTrue(ran.await(10, TimeUnit.SECONDS));
  }

  @Test
  void aLazyTaskRunsWhileOrdinaryTasksNeverRunOut() throws InterruptedException {
    // Four chains of ordinary tasks, each queueing its next: the one runner (the target) never
    // finds the queue empty, so only the watchdog can get the lazy task run.
    AtomicBoolean lazyRan = new AtomicBoolean();
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    AtomicInteger chainsEnded = new AtomicInteger();
    for (int i = 0; i < 4; i++) {
      pool.execute(new Runnable() {
        @Override
        public void run() {
          if (lazyRan.get() || System.nanoTime() - giveUp > 0) {
            chainsEnded.incrementAndGet();
          } else {
            pool.execute(this);
          }
        }
      });
    }
    CountDownLatch ran = new CountDownLatch(1);
    pool.executeLazily(() -> {
      lazyRan.set(true);
      ran.countDown();
    });
    assertTrue(ran.await(20, TimeUnit.SECONDS), "the lazy task starved");
    await().atMost(Duration.ofSeconds(10)).until(() -> chainsEnded.get() == 4);
  }

  @Test
  void aBurstWaitsForTheRunnerInsteadOfStartingAThreadPerTask() throws InterruptedException {
    CountDownLatch queuedAll = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(101);
    pool.execute(() -> {
      try {
        queuedAll.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      done.countDown();
    });
    ConcurrentLinkedQueue<Integer> ran = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < 100; i++) {
      int n = i;
      pool.execute(() -> {
        ran.add(n);
        done.countDown();
      });
    }
    queuedAll.countDown();
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(100, ran.size());
    // A cached pool starts a thread for each task that finds none idle: 101 here. This one
    // queues them for its one runner (the watchdog adds a few if the runner is held up for 5 ms).
    assertTrue(threads.get() < 50, "threads started: " + threads.get());
  }

  @Test
  void tasksThatWaitForEachOtherAllGetARunner() throws InterruptedException {
    // 64 tasks that each block until all 64 run: a pool that did not grow behind blocked runners
    // would never finish (the target is one runner).
    int n = 64;
    CountDownLatch started = new CountDownLatch(n);
    CountDownLatch finished = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      pool.execute(() -> {
        started.countDown();
        try {
          if (started.await(20, TimeUnit.SECONDS)) {
            finished.countDown();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    assertTrue(finished.await(20, TimeUnit.SECONDS), "started: " + (n - started.getCount()));
  }

  @Test
  void aRunnerHeldByALongTaskNoLongerCountsOnceTheWatchdogSawIt() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch holding = new CountDownLatch(1);
    pool.execute(() -> {
      holding.countDown();
      try {
        release.await(20, TimeUnit.SECONDS); // a handler that blocks, or a long stream
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    // The held task must have started before the second is queued: the watchdog first looks a
    // period after the second was queued, so the held task has then run for more than a period.
    // Queued together, a runner thread slow to start (a loaded machine) begins the held task less
    // than a period before that look, which then does not count it as held.
    assertTrue(holding.await(10, TimeUnit.SECONDS));
    CountDownLatch second = new CountDownLatch(1);
    pool.execute(second::countDown); // waits behind the held runner until the watchdog looks
    assertTrue(second.await(10, TimeUnit.SECONDS));
    // No watchdog from here on: a later task still gets a runner at once, because the held one
    // no longer counts as awake.
    scheduler.shutdownNow();
    CountDownLatch third = new CountDownLatch(1);
    pool.execute(third::countDown);
    boolean ran = third.await(10, TimeUnit.SECONDS);
    release.countDown();
    assertTrue(ran, "a task waited for a runner held by another task");
  }

  @Test
  void shutdownRunsWhatIsQueuedThenRefuses() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch ran = new CountDownLatch(3);
    pool.execute(() -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ran.countDown();
    });
    pool.execute(ran::countDown);
    pool.execute(ran::countDown);
    pool.shutdown();
    assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> {}));
    release.countDown();
    assertTrue(ran.await(10, TimeUnit.SECONDS), "queued tasks still ran");
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void shutdownNowHandsBackWhatDidNotStart() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    pool.execute(holdUntil(running, release));
    assertTrue(running.await(10, TimeUnit.SECONDS));
    Runnable waiting = () -> {};
    pool.execute(waiting);
    List<Runnable> left = pool.shutdownNow();
    release.countDown();
    // The watchdog may have started a runner that took it first.
    assertTrue(left.isEmpty() || left.equals(List.of(waiting)), left.toString());
  }

  /** A task that says it runs, then holds its runner until {@code release} (at most 10 s). */
  private static Runnable holdUntil(CountDownLatch running, CountDownLatch release) {
    return () -> {
      running.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }
}
