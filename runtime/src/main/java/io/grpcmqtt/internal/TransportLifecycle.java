package io.grpcmqtt.internal;

import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;

/**
 * How a transport ends, the same for a channel's and a server's. Shut down, it stops accepting
 * calls (a server only once the broker has stopped routing requests to it); it terminates once it
 * accepts none and its last call is over, or at once ({@code shutdownNow}). Terminating closes its
 * connection on the runtime's blocking executor: the final "offline" status (waiting up to 2 s for
 * its PUBACK), DISCONNECT, then {@code terminated}, once.
 */
final class TransportLifecycle {
  private final Object lock = new Object();
  private final RuntimeExecutors.Lease executors;
  private final String name;
  private final String statusTopic;
  private final boolean statusRetained;
  private final PublishProperties finalStatus;
  private final Runnable terminating;
  private final Runnable terminated;

  @GuardedBy("lock")
  @Nullable
  private TransportConnection connection;

  @GuardedBy("lock")
  private boolean shutdown;

  /**
   * Calls are accepted. Written only under {@code lock}; read without it to refuse early, while
   * {@link #admit} reads it again under the lock, so a stale read admits nothing. Not
   * {@code @GuardedBy} for that one lock-free read.
   */
  private volatile boolean accepting = true;

  /** Calls counted in and not yet over; changed under {@code lock}, read without. */
  private final AtomicInteger open = new AtomicInteger();

  @GuardedBy("lock")
  private boolean ended;

  /**
   * @param name the transport's client id: names the blocking thread while it closes
   * @param statusTopic where the final "offline" goes, with {@code finalStatus}'s properties
   * @param terminating runs once, as termination starts (stop the transport's timed work)
   * @param terminated runs once the connection is closed
   */
  TransportLifecycle(
      RuntimeExecutors.Lease executors,
      String name,
      String statusTopic,
      boolean statusRetained,
      PublishProperties finalStatus,
      Runnable terminating,
      Runnable terminated) {
    this.executors = executors;
    this.name = name;
    this.statusTopic = statusTopic;
    this.statusRetained = statusRetained;
    this.finalStatus = finalStatus;
    this.terminating = terminating;
    this.terminated = terminated;
  }

  /**
   * The transport's connection is open. Returns false when it terminated meanwhile: then the
   * connection is closed here, since terminating found none to close.
   */
  boolean connected(TransportConnection opened) {
    synchronized (lock) {
      if (!ended) {
        connection = opened;
        return true;
      }
    }
    executors.runBlocking(
        "close " + name, () -> opened.close(statusTopic, statusRetained, finalStatus));
    return false;
  }

  /** Marks the transport shut down; true the first time only. */
  boolean shutdown() {
    synchronized (lock) {
      if (shutdown) {
        return false;
      }
      shutdown = true;
      return true;
    }
  }

  boolean isShutdown() {
    synchronized (lock) {
      return shutdown;
    }
  }

  /** Whether calls are still accepted; without the lock, so a hint only (see {@link #admit}). */
  boolean accepting() {
    return accepting;
  }

  /** Calls counted in and not yet over. */
  int openCalls() {
    return open.get();
  }

  /**
   * Counts a call in, running {@code admitted} under the lock so that one who stops accepting
   * sees it; returns the calls now open (1: the first), or 0 when no more are accepted.
   */
  int admit(Runnable admitted) {
    synchronized (lock) {
      if (!accepting) {
        return 0;
      }
      admitted.run();
      return open.incrementAndGet();
    }
  }

  /**
   * Counts a call out; runs {@code idle} when it was the last, then terminates the transport if it
   * no longer accepts calls.
   */
  void callEnded(Runnable idle) {
    boolean last;
    boolean terminateNow;
    synchronized (lock) {
      last = open.decrementAndGet() == 0;
      terminateNow = last && !accepting;
    }
    if (last) {
      idle.run();
    }
    if (terminateNow) {
      terminate();
    }
  }

  /**
   * Stops accepting calls. Returns -1 when that happened before, else the calls still open; the
   * caller terminates when none are ({@link #terminate}) after saying what it must say first.
   */
  int stopAccepting() {
    synchronized (lock) {
      if (!accepting) {
        return -1;
      }
      accepting = false;
      return open.get();
    }
  }

  boolean isTerminated() {
    synchronized (lock) {
      return ended;
    }
  }

  /**
   * Terminates once: accepts no more calls and closes the connection (if there is one yet) in
   * the background, then runs {@code terminated}. Returns false when it had already.
   */
  boolean terminate() {
    TransportConnection toClose;
    synchronized (lock) {
      if (ended) {
        return false;
      }
      ended = true;
      accepting = false;
      toClose = connection;
    }
    terminating.run();
    // Closing waits for the broker, which the delivery thread (where a last call may end) and
    // gRPC's threads must not.
    executors.runBlocking("close " + name, () -> {
      if (toClose != null) {
        toClose.close(statusTopic, statusRetained, finalStatus);
      }
      terminated.run();
    });
    return true;
  }

  @Override
  public String toString() {
    return "TransportLifecycle{" + name + "}";
  }
}
