package io.grpcmqtt.gateway.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * An open {@code ReceiveStream}: messages of one topic pushed as they arrive, at most {@link
 * GatewayClientOptions#streamLimit()} unacknowledged at a time. Iterate it on one thread; acknowledge
 * each message with {@link GatewayClient#ack}. Closing it (or the client) ends the stream, and the
 * Gateway requeues at once every message it delivered here that was not acknowledged, for the next
 * consumer.
 *
 * <pre>{@code
 * try (GatewayStream stream = client.stream("jobs")) {
 *   for (GatewayMessage m : stream) {      // blocks until the next message
 *     process(m);
 *     client.ack("jobs", m.msgId());
 *   }
 * }
 * }</pre>
 *
 * <p>The iteration ends (hasNext false) once the stream is closed; it throws {@link
 * GatewayException} when the stream fails (the Gateway stopped: {@code UNAVAILABLE}; open a new
 * stream to go on).
 */
public final class GatewayStream implements Iterable<GatewayMessage>, AutoCloseable {
  /** Marks the end in the queue; the status is why. */
  private record End(Status status, Throwable cause) {}

  private final String topic;
  private final Consumer<GatewayStream> onClose;
  /** Bounded by the Gateway: it never sends more than the limit of unacknowledged messages. */
  private final LinkedBlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
  private volatile ClientCallStreamObserver<ReceiveRequest> call;
  private volatile boolean closed;
  private boolean iterated;

  GatewayStream(String topic, Consumer<GatewayStream> onClose) {
    this.topic = topic;
    this.onClose = onClose;
  }

  /** The topic this stream receives from. */
  public String topic() {
    return topic;
  }

  /** The gRPC observer of the call; gets what the Gateway pushes. */
  ClientResponseObserver<ReceiveRequest, Message> observer() {
    return new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<ReceiveRequest> requestStream) {
        call = requestStream;
      }

      @Override
      public void onNext(Message value) {
        arrived.add(GatewayMessage.of(value));
      }

      @Override
      public void onError(Throwable t) {
        arrived.add(new End(Status.fromThrowable(t), t));
      }

      @Override
      public void onCompleted() {
        arrived.add(new End(Status.OK, null));
      }
    };
  }

  /**
   * The messages, as they arrive; {@code next()} blocks until one does. One iterator per stream.
   *
   * @throws IllegalStateException on a second call
   */
  @Override
  public synchronized Iterator<GatewayMessage> iterator() {
    if (iterated) {
      throw new IllegalStateException("a GatewayStream is iterated once");
    }
    iterated = true;
    return new Iterator<>() {
      private Object next;

      @Override
      public boolean hasNext() {
        if (next == null) {
          if (closed && arrived.isEmpty()) {
            return false;
          }
          try {
            next = arrived.take();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException("stream of '" + topic + "'",
                Status.CANCELLED.withDescription("interrupted"), e);
          }
        }
        if (next instanceof End end) {
          arrived.add(end); // stays at the end for every later call
          next = null;
          if (end.status().isOk() || closed) {
            return false;
          }
          throw new GatewayException("stream of '" + topic + "'", end.status(), end.cause());
        }
        return true;
      }

      @Override
      public GatewayMessage next() {
        if (!hasNext()) {
          throw new NoSuchElementException("the stream of '" + topic + "' has ended");
        }
        GatewayMessage m = (GatewayMessage) next;
        next = null;
        return m;
      }
    };
  }

  /**
   * Ends the stream: the Gateway requeues every message it delivered here that was not
   * acknowledged; a thread blocked in the iteration returns. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    ClientCallStreamObserver<ReceiveRequest> c = call;
    if (c != null) {
      c.cancel("GatewayStream closed", null);
    }
    arrived.add(new End(Status.CANCELLED, null));
    onClose.accept(this);
  }
}
