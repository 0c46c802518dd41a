package io.grpcmqtt.gateway.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpcmqtt.gateway.store.StoredMessage;
import io.grpcmqtt.gateway.v1.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;

/**
 * One ReceiveStream: a consumer that holds at most {@code limit} unacknowledged messages and pushes
 * them as they arrive, only while gRPC's flow control says the client can take more ({@link
 * ServerCallStreamObserver#isReady()}). A message it holds is released when the client
 * acknowledges it or when its visibility timeout passes; everything it holds is requeued when the
 * stream ends (client cancel, the client's last will, Gateway shutdown).
 *
 * <p>It runs only when woken (a send on its topic, an ack, onReady, a periodic tick), one run at a
 * time, on the work executor; it never holds a thread while it waits.
 */
final class StreamConsumer implements TopicSignals.Waiter {
  private final Queues queues;
  private final GatewayExecutors executors;
  private final RequestRules.ReceiveParams params;
  private final ServerCallStreamObserver<Message> call;
  private final long lease = ThreadLocalRandom.current().nextLong();

  /** Held message ids and when their lease ends (epoch ms), in delivery order. */
  @GuardedBy("this")
  private final LinkedHashMap<Long, Long> held = new LinkedHashMap<>();

  /** Held messages flow control has not let us send yet. */
  @GuardedBy("this")
  private final ArrayDeque<StoredMessage> unsent = new ArrayDeque<>();

  @GuardedBy("this")
  private boolean running;

  @GuardedBy("this")
  private boolean again;

  @GuardedBy("this")
  private boolean ended;

  @GuardedBy("this")
  private long lastLeaseCheckNanos = System.nanoTime();

  @GuardedBy("this")
  private ScheduledFuture<?> tick;

  StreamConsumer(Queues queues, GatewayExecutors executors, RequestRules.ReceiveParams params,
      ServerCallStreamObserver<Message> call) {
    this.queues = queues;
    this.executors = executors;
    this.params = params;
    this.call = call;
  }

  String topic() {
    return params.topic();
  }

  /** Call from the gRPC handler, before it returns. */
  void start() {
    call.setOnReadyHandler(this::wake);
    call.setOnCancelHandler(() -> end(null));
    queues.streams().add(this);
    queues.signals().register(topic(), this);
    long every = executors.pollIntervalNanos();
    synchronized (this) {
      tick = executors.timers().scheduleWithFixedDelay(this::wake, every, every, TimeUnit.NANOSECONDS);
    }
    wake();
  }

  @Override
  public void wake() {
    synchronized (this) {
      if (ended) {
        return;
      }
      if (running) {
        again = true;
        return;
      }
      running = true;
    }
    executors.work().execute(this::run);
  }

  void acked(long id) {
    boolean freed;
    synchronized (this) {
      freed = held.remove(id) != null;
      if (freed) {
        unsent.removeIf(m -> m.id() == id);
      }
    }
    if (freed) {
      wake();
    }
  }

  private void run() {
    try {
      while (true) {
        int room;
        List<Long> toCheck = null;
        synchronized (this) {
          again = false;
          if (ended) {
            running = false;
            return;
          }
          dropExpiredLocked(System.currentTimeMillis());
          sendLocked();
          room = params.limit() - held.size();
          if (room == 0 && System.nanoTime() - lastLeaseCheckNanos >= executors.pollIntervalNanos()) {
            // Full: an ack made on another instance (shared store) frees slots only we can see.
            toCheck = new ArrayList<>(held.keySet());
            lastLeaseCheckNanos = System.nanoTime();
          }
        }
        if (toCheck != null) {
          Set<Long> still = queues.stillLeased(topic(), lease, toCheck);
          synchronized (this) {
            for (Long id : toCheck) {
              if (!still.contains(id)) {
                held.remove(id);
                unsent.removeIf(m -> m.id() == id);
              }
            }
            room = params.limit() - held.size();
          }
        }
        long leaseEnd = System.currentTimeMillis() + params.visibilityTimeoutMs();
        List<StoredMessage> got =
            room > 0 ? queues.claim(topic(), room, lease, params.visibilityTimeoutMs()) : List.of();
        synchronized (this) {
          if (!ended) {
            for (StoredMessage m : got) {
              held.put(m.id(), leaseEnd);
              unsent.add(m);
            }
            sendLocked();
            if (!again && (room == 0 || got.size() < room)) {
              running = false;
              return;
            }
            continue;
          }
          running = false;
        }
        // Ended while we claimed: these were never sent.
        queues.release(topic(), lease, got.stream().map(StoredMessage::id).toList());
        return;
      }
    } catch (StatusException | RuntimeException e) {
      // The store failed (already logged): the next tick tries again.
      synchronized (this) {
        running = false;
      }
    }
  }

  @GuardedBy("this")
  private void sendLocked() {
    while (!unsent.isEmpty() && call.isReady()) {
      call.onNext(Protos.toMessage(unsent.poll()));
    }
  }

  /** Forgets held messages whose lease ended: the store shows them to consumers again. */
  @GuardedBy("this")
  private void dropExpiredLocked(long now) {
    Iterator<Map.Entry<Long, Long>> it = held.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Long> e = it.next();
      if (e.getValue() > now) {
        break; // leases end in delivery order
      }
      long id = e.getKey();
      it.remove();
      unsent.removeIf(m -> m.id() == id);
    }
  }

  /** Ends the stream (with {@code error} sent to the client, unless null) and requeues what it held. */
  private void end(@Nullable Status error) {
    List<Long> ids;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      ids = new ArrayList<>(held.keySet());
      held.clear();
      unsent.clear();
      if (tick != null) {
        tick.cancel(false);
      }
      if (error != null && !call.isCancelled()) {
        call.onError(error.asException());
      }
    }
    queues.signals().unregister(topic(), this);
    queues.streams().remove(this);
    queues.release(topic(), lease, ids);
  }

  void shutdown() {
    end(Status.UNAVAILABLE.withDescription(
        "the Gateway is shutting down; unacknowledged messages of this stream were requeued"));
  }
}
