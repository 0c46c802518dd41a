package io.grpcmqtt.internal;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttMessageHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor gRPC gets for calls on an MQTT channel or server: tasks submitted while the
 * transport handles one MQTT message are handed to the underlying executor only when that message
 * is handled.
 *
 * <p>Why: grpc-java submits each callback of a call (a server's method lookup and call start; a
 * reply's headers, message and close) to a per-call {@code SerializingExecutor}, which hands
 * itself to this executor once and then drains whatever was queued meanwhile. One MQTT message
 * carries all of them, but Paho's thread delivers them one after the other, and on a busy machine
 * the woken worker drains each before the next arrives: three wake-ups of a parked thread where
 * one would do. Deferring the hand-off to the end of the message lets the one task find all three
 * queued. Tasks of different calls are still handed off separately, in the order they came, so a
 * slow call never holds up another.
 *
 * <p>Outside a message's handling (application threads, timers) tasks are handed off at once.
 *
 * <p>{@link #lazily} opens the other kind of scope: tasks for the default call executor go to it
 * without waking a parked thread ({@link CallPool#executeLazily}). A server call's final outcome,
 * reported after its reply's PUBACK, runs in one: nothing waits for it, and the wake-up would be the
 * third of the call in a process that is both client and server.
 */
public final class DeferringExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(DeferringExecutor.class);

  /**
   * What this thread defers while it handles a message, or {@link #LAZY} inside {@link #lazily};
   * {@code null} in neither.
   */
  private static final ThreadLocal<Deferral> DEFERRAL = new ThreadLocal<>();

  /** The scope of {@link #lazily}: defers nothing, marks hand-offs to the default pool lazy. */
  private static final Deferral LAZY = new Deferral(null);

  private final Executor delegate;

  private DeferringExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  /**
   * The executor to give gRPC for a channel or server whose user chose {@code executor} ({@code
   * null}: none, so the default call executor of {@link RuntimeExecutors}). A direct executor is returned as it is: gRPC recognises it
   * and runs callbacks inline, with nothing to defer.
   */
  public static Executor forCalls(@Nullable Executor executor) {
    if (executor == null) {
      return new DeferringExecutor(RuntimeExecutors.defaultCallExecutor());
    }
    if (executor == MoreExecutors.directExecutor() || executor instanceof DeferringExecutor) {
      return executor;
    }
    return new DeferringExecutor(executor);
  }

  /**
   * The handler of one subscription of a transport whose calls run on {@code owner}: it hands
   * each message to {@code listener} with {@code owner}'s hand-offs deferred to its end
   * ({@link #deferWhile}). The subscription table calls it directly, so a received message reaches
   * the transport's code for its kind in one step.
   */
  static MqttMessageHandler handler(@Nullable Executor owner, TransportConnection.Listener listener) {
    return delivery -> deferWhile(owner, listener, delivery.message());
  }

  /**
   * Runs {@code handling} (the handling of one message by the transport whose calls run on {@code
   * owner}) with {@code owner}'s hand-offs deferred to its end. Only {@code owner}'s: a task for
   * another channel or server goes at once, so nothing that code on this thread might wait for is
   * held back. An owner that is not a {@code DeferringExecutor} (a direct executor) defers nothing.
   */
  static void deferWhile(@Nullable Executor owner, Runnable handling) {
    deferWhile(owner, message -> handling.run(), null);
  }

  private static void deferWhile(@Nullable Executor owner, TransportConnection.Listener listener,
      @Nullable MqttMessage message) {
    if (!(owner instanceof DeferringExecutor) || DEFERRAL.get() != null) {
      listener.messageArrived(message);
      return;
    }
    Deferral deferral = new Deferral((DeferringExecutor) owner);
    DEFERRAL.set(deferral);
    try {
      listener.messageArrived(message);
    } finally {
      DEFERRAL.remove();
      for (Runnable task : deferral.tasks) {
        handOff(deferral.owner.delegate, task);
      }
    }
  }

  /**
   * Runs {@code work} (on the calling thread, at once) so that the tasks it hands to executors of
   * the default call pool wake no thread of their own: a pool thread runs them before it parks, or
   * within a few ms ({@link CallPool#executeLazily}). Only for work whose tasks nothing waits for.
   * Tasks for a user's executor go as usual, and inside a message's deferral this changes nothing.
   */
  static void lazily(Runnable work) {
    if (DEFERRAL.get() != null) {
      work.run();
      return;
    }
    DEFERRAL.set(LAZY);
    try {
      work.run();
    } finally {
      DEFERRAL.remove();
    }
  }

  @Override
  public void execute(Runnable task) {
    Deferral deferral = DEFERRAL.get();
    if (deferral == null) {
      delegate.execute(task);
    } else if (deferral.owner == this) {
      deferral.tasks.add(task);
    } else if (deferral == LAZY && delegate == RuntimeExecutors.defaultCallExecutor()) {
      RuntimeExecutors.executeCallLazily(task);
    } else {
      delegate.execute(task);
    }
  }

  private static void handOff(Executor executor, Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      // The caller that submitted it has returned and cannot be told; dropping the task could
      // leave a call hanging, so run it here (only a user's executor, shut down early, refuses).
      log.debug("executor refused a task; running it on the transport thread", e);
      try {
        task.run();
      } catch (RuntimeException thrown) {
        log.warn("a call's task failed on the transport thread", thrown);
      }
    }
  }

  private static final class Deferral {
    @Nullable final DeferringExecutor owner;
    final List<Runnable> tasks = new ArrayList<>(4);

    Deferral(@Nullable DeferringExecutor owner) {
      this.owner = owner;
    }
  }
}
