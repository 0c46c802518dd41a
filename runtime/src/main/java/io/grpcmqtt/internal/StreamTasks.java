package io.grpcmqtt.internal;

import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;
import org.slf4j.Logger;

/**
 * The listener calls of one stream, queued under the stream's lock and run in order, one at a
 * time, after it: what grpc-java's {@code SynchronizationContext} does, for a stream's few tasks
 * without a node per task and a concurrent queue per stream. {@link #executeLater} only queues;
 * {@link #drain} runs what is queued on the calling thread, unless another thread is draining (it
 * then runs this thread's tasks too). Tasks never run under the stream's lock: streams drain after
 * they release it. A task that throws is logged, and the rest still run.
 */
final class StreamTasks {
  /** The stream's logger, for a task that throws. */
  private final Logger log;

  /** A ring of queued tasks; made by the first one. */
  @GuardedBy("this")
  @Nullable
  private Runnable[] tasks;

  @GuardedBy("this")
  private int first;

  @GuardedBy("this")
  private int count;

  /** The thread running tasks, or null. */
  @GuardedBy("this")
  @Nullable
  private Thread draining;

  StreamTasks(Logger log) {
    this.log = log;
  }

  /** Queues {@code task}; it runs at the next {@link #drain}. */
  synchronized void executeLater(Runnable task) {
    if (tasks == null) {
      tasks = new Runnable[4];
    } else if (count == tasks.length) {
      Runnable[] grown = new Runnable[count * 2];
      for (int i = 0; i < count; i++) {
        grown[i] = tasks[(first + i) % count];
      }
      tasks = grown;
      first = 0;
    }
    tasks[(first + count) % tasks.length] = task;
    count++;
  }

  /** Runs the queued tasks, in order, unless another thread is running them. */
  void drain() {
    synchronized (this) {
      if (draining != null || count == 0) {
        return;
      }
      draining = Thread.currentThread();
    }
    Runnable task;
    while ((task = next()) != null) {
      try {
        task.run();
      } catch (Throwable t) {
        log.error("uncaught error in a call listener", t);
      }
    }
  }

  /** The next task, or null after the drainer let go: whatever is queued later, a drain runs. */
  @Nullable
  private synchronized Runnable next() {
    if (count == 0) {
      draining = null;
      return null;
    }
    Runnable task = tasks[first];
    tasks[first] = null;
    first = (first + 1) % tasks.length;
    count--;
    return task;
  }
}
