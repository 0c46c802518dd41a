package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.common.util.concurrent.MoreExecutors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class DeferringExecutorTest {
  private final List<String> log = new ArrayList<>();

  private Executor recording(String name) {
    return task -> {
      log.add(name + " got a task");
      task.run();
    };
  }

  @Test
  void holdsTheOwnersTasksUntilTheMessageIsHandledThenHandsThemOffInOrder() {
    Executor owner = DeferringExecutor.forCalls(recording("owner"));
    DeferringExecutor.deferWhile(owner, () -> {
      owner.execute(() -> log.add("a"));
      owner.execute(() -> log.add("b"));
      log.add("handled");
    });
    assertEquals(List.of("handled", "owner got a task", "a", "owner got a task", "b"), log);
  }

  @Test
  void handsOffAnotherExecutorsTasksAtOnce() {
    Executor owner = DeferringExecutor.forCalls(recording("owner"));
    Executor other = DeferringExecutor.forCalls(recording("other"));
    DeferringExecutor.deferWhile(owner, () -> {
      other.execute(() -> log.add("x"));
      log.add("handled");
    });
    assertEquals(List.of("other got a task", "x", "handled"), log);
  }

  @Test
  void handsOffAtOnceOutsideAMessage() {
    Executor owner = DeferringExecutor.forCalls(recording("owner"));
    owner.execute(() -> log.add("a"));
    assertEquals(List.of("owner got a task", "a"), log);
  }

  @Test
  void runsARefusedTaskRatherThanDropIt() {
    Executor owner = DeferringExecutor.forCalls(task -> {
      throw new RejectedExecutionException("shut down");
    });
    DeferringExecutor.deferWhile(owner, () -> owner.execute(() -> log.add("ran")));
    assertEquals(List.of("ran"), log);
  }

  @Test
  void aLazyScopeHandsAUsersExecutorItsTasksAtOnce() {
    Executor owner = DeferringExecutor.forCalls(recording("owner"));
    DeferringExecutor.lazily(() -> {
      owner.execute(() -> log.add("a"));
      log.add("closed");
    });
    assertEquals(List.of("owner got a task", "a", "closed"), log);
  }

  @Test
  void aLazyScopeInsideAMessageChangesNothing() {
    Executor owner = DeferringExecutor.forCalls(recording("owner"));
    DeferringExecutor.deferWhile(owner, () -> {
      DeferringExecutor.lazily(() -> owner.execute(() -> log.add("a")));
      log.add("handled");
    });
    assertEquals(List.of("handled", "owner got a task", "a"), log);
  }

  @Test
  void leavesADirectExecutorAsItIs() {
    assertSame(MoreExecutors.directExecutor(),
        DeferringExecutor.forCalls(MoreExecutors.directExecutor()));
    Executor wrapped = DeferringExecutor.forCalls(recording("owner"));
    assertSame(wrapped, DeferringExecutor.forCalls(wrapped));
  }
}
