package io.grpcmqtt.bench;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.bench.proto.BenchGrpc;
import io.grpcmqtt.bench.proto.Count;
import io.grpcmqtt.bench.proto.Payload;
import io.grpcmqtt.bench.proto.StreamRequest;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The service under test: the same instance is served over MQTT and over HTTP/2. */
final class BenchService extends BenchGrpc.BenchImplBase {
  /** Messages every Sink call has received so far. */
  final AtomicLong sinkReceived = new AtomicLong();
  /** Source calls with count 0 that are open now. */
  final AtomicInteger idleOpen = new AtomicInteger();
  /** Runs on every message a Sink call receives, after {@link #sinkReceived} counted it. */
  private final Runnable onSinkMessage;

  BenchService() {
    this(() -> {});
  }

  /** With {@code onSinkMessage} telling another process what Sink calls receive. */
  BenchService(Runnable onSinkMessage) {
    this.onSinkMessage = onSinkMessage;
  }

  @Override
  public void echo(Payload request, StreamObserver<Payload> responseObserver) {
    responseObserver.onNext(request);
    responseObserver.onCompleted();
  }

  @Override
  public void source(StreamRequest request, StreamObserver<Payload> responseObserver) {
    ServerCallStreamObserver<Payload> out = (ServerCallStreamObserver<Payload>) responseObserver;
    if (request.getCount() == 0) {
      idleOpen.incrementAndGet();
      out.setOnCancelHandler(idleOpen::decrementAndGet);
      return;
    }
    new Pump(out, request.getCount(), payload(request.getSize())).install();
  }

  static Payload payload(int size) {
    return Payload.newBuilder().setData(ByteString.copyFrom(new byte[size])).build();
  }

  /** Sends within flow control: as many messages as the transport is ready for, on each onReady. */
  private static final class Pump implements Runnable {
    private final ServerCallStreamObserver<Payload> out;
    private final long count;
    private final Payload message;
    private long sent;
    private boolean done;

    Pump(ServerCallStreamObserver<Payload> out, long count, Payload message) {
      this.out = out;
      this.count = count;
      this.message = message;
    }

    void install() {
      out.setOnCancelHandler(this::cancelled);
      out.setOnReadyHandler(this);
    }

    private synchronized void cancelled() {
      done = true;
    }

    @Override
    public synchronized void run() {
      while (!done && sent < count && out.isReady()) {
        out.onNext(message);
        sent++;
      }
      if (!done && sent == count) {
        done = true;
        out.onCompleted();
      }
    }
  }

  @Override
  public StreamObserver<Payload> sink(StreamObserver<Count> responseObserver) {
    return new StreamObserver<>() {
      private long received;

      @Override
      public void onNext(Payload value) {
        received++;
        sinkReceived.incrementAndGet();
        onSinkMessage.run();
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responseObserver.onNext(Count.newBuilder().setReceived(received).build());
        responseObserver.onCompleted();
      }
    };
  }
}
