package io.grpcmqtt.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HorizonSchedulerTest {
  private static final long LONG_HORIZON = TimeUnit.SECONDS.toNanos(20);

  private HorizonScheduler scheduler;

  private HorizonScheduler start(long horizonNanos) {
    scheduler = new HorizonScheduler(2, r -> {
      Thread t = new Thread(r, "horizon-test");
      t.setDaemon(true);
      return t;
    }, horizonNanos);
    // As RuntimeExecutors sets them.
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    scheduler.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    return scheduler;
  }

  @AfterEach
  void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  @Test
  void aTaskDueAfterTheHorizonIsNeverTheEarliest() {
    HorizonScheduler s = start(LONG_HORIZON);
    ScheduledFuture<?> deadline = s.schedule(() -> { }, 60, TimeUnit.SECONDS);
    ScheduledFuture<?> another = s.schedule(() -> { }, 30, TimeUnit.SECONDS);

    assertEquals(3, s.getQueue().size(), "the two tasks and one horizon");
    assertNotSame(deadline, s.getQueue().peek());
    assertNotSame(another, s.getQueue().peek());
  }

  @Test
  void tasksRunNoSoonerThanDueAcrossHorizons() throws Exception {
    HorizonScheduler s = start(TimeUnit.MILLISECONDS.toNanos(20));
    long[] delaysMillis = {0, 5, 30, 70};
    CountDownLatch ran = new CountDownLatch(delaysMillis.length);
    ConcurrentHashMap<Long, Long> lateness = new ConcurrentHashMap<>();
    for (long delay : delaysMillis) {
      long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
      s.schedule(() -> {
        lateness.put(delay, System.nanoTime() - due);
        ran.countDown();
      }, delay, TimeUnit.MILLISECONDS);
    }

    assertTrue(ran.await(10, TimeUnit.SECONDS), "every task ran");
    lateness.forEach((delay, late) -> assertTrue(late >= 0, delay + " ms task ran early"));
  }

  @Test
  void theHorizonEndsWithTheLastTaskAndComesBackForTheNext() {
    HorizonScheduler s = start(TimeUnit.MILLISECONDS.toNanos(10));
    ScheduledFuture<?> deadline = s.schedule(() -> { }, 60, TimeUnit.SECONDS);
    deadline.cancel(false); // a call that ended: its deadline leaves the queue

    await().atMost(Duration.ofSeconds(10)).until(() -> s.getQueue().isEmpty());

    ScheduledFuture<?> next = s.schedule(() -> { }, 60, TimeUnit.SECONDS);
    assertEquals(2, s.getQueue().size(), "the task and a new horizon");
    // The new horizon is due in 10 ms; once it has passed and re-queued itself, it is again the
    // earliest while the task waits.
    await().atMost(Duration.ofSeconds(10))
        .until(() -> s.getQueue().size() == 2 && s.getQueue().peek() != next);
  }

  @Test
  void shutsDownWithTheHorizonQueued() throws Exception {
    HorizonScheduler s = start(LONG_HORIZON);
    s.schedule(() -> { }, 60, TimeUnit.SECONDS);

    s.shutdown();

    assertTrue(s.awaitTermination(10, TimeUnit.SECONDS));
  }
}
