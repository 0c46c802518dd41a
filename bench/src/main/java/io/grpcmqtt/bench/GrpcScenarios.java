package io.grpcmqtt.bench;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.bench.proto.BenchGrpc;
import io.grpcmqtt.bench.proto.Count;
import io.grpcmqtt.bench.proto.Payload;
import io.grpcmqtt.bench.proto.StreamRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/** The gRPC side of the scenarios, through generated stubs, for any {@link GrpcEndpoint}. */
final class GrpcScenarios {
  private static final long CALL_DEADLINE_SECONDS = 30;

  private GrpcScenarios() {}

  /** One unary Echo call per start, through the async stub. */
  static ClosedLoop.Call unary(GrpcEndpoint endpoint, int payloadBytes) {
    BenchGrpc.BenchStub stub = BenchGrpc.newStub(endpoint.channel);
    Payload request = BenchService.payload(payloadBytes);
    return (done, failed) ->
        stub.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
            .echo(request, new StreamObserver<>() {
              @Override
              public void onNext(Payload value) {}

              @Override
              public void onError(Throwable t) {
                failed.accept(t);
              }

              @Override
              public void onCompleted() {
                done.run();
              }
            });
  }

  /**
   * Server streaming: one Source call of up to {@code maxMessages}; returns the messages per
   * second the client received during the measurement, then cancels the call.
   */
  static double serverStreaming(GrpcEndpoint endpoint, int payloadBytes, long warmupNanos,
      long measureNanos, long maxMessages) throws InterruptedException {
    AtomicLong received = new AtomicLong();
    CountDownLatch ended = new CountDownLatch(1);
    ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
    BenchGrpc.newStub(endpoint.channel)
        .withDeadlineAfter(CALL_DEADLINE_SECONDS + (warmupNanos + measureNanos) / 1_000_000_000L,
            TimeUnit.SECONDS)
        .source(StreamRequest.newBuilder().setCount(maxMessages).setSize(payloadBytes).build(),
            new ClientResponseObserver<StreamRequest, Payload>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<StreamRequest> requestStream) {
                call[0] = requestStream;
              }

              @Override
              public void onNext(Payload value) {
                received.incrementAndGet();
              }

              @Override
              public void onError(Throwable t) {
                ended.countDown();
              }

              @Override
              public void onCompleted() {
                ended.countDown();
              }
            });
    double rate = rateOver(received::get, warmupNanos, measureNanos);
    call[0].cancel("measurement over", null);
    ended.await(10, TimeUnit.SECONDS);
    return rate;
  }

  /**
   * Client streaming: one Sink call sending as fast as flow control allows until the end of the
   * measurement (or {@code maxMessages}); returns the messages per second the service received.
   */
  static double clientStreaming(GrpcEndpoint endpoint, int payloadBytes, long warmupNanos,
      long measureNanos, long maxMessages) throws InterruptedException {
    SinkCall call = new SinkCall(BenchService.payload(payloadBytes), maxMessages);
    BenchGrpc.newStub(endpoint.channel)
        .withDeadlineAfter(CALL_DEADLINE_SECONDS + (warmupNanos + measureNanos
                + ClosedLoop.MAX_EXTENSION_NANOS) / 1_000_000_000L, TimeUnit.SECONDS)
        .sink(call);
    double rate = rateOver(endpoint.sinkReceived, warmupNanos, measureNanos);
    // A pump waiting for credit does not run again by itself once the measurement is over.
    call.stop();
    if (!call.ended.await(10, TimeUnit.SECONDS)) {
      call.cancel();
    }
    return rate;
  }

  /** Sends as fast as flow control allows until a time or a count, then half-closes. */
  private static final class SinkCall implements ClientResponseObserver<Payload, Count> {
    final CountDownLatch ended = new CountDownLatch(1);
    private final Payload message;
    private final long maxMessages;
    private ClientCallStreamObserver<Payload> out;
    private long sent;
    private boolean stopped;
    private boolean halfClosed;

    SinkCall(Payload message, long maxMessages) {
      this.message = message;
      this.maxMessages = maxMessages;
    }

    /** The measurement is over: half-closes now, or once the call has started. */
    synchronized void stop() {
      stopped = true;
      if (out != null) {
        pump();
      }
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Payload> requestStream) {
      out = requestStream;
      requestStream.setOnReadyHandler(this::pump);
    }

    synchronized void pump() {
      while (!halfClosed && out.isReady() && sent < maxMessages && !stopped) {
        out.onNext(message);
        sent++;
      }
      if (!halfClosed && (sent >= maxMessages || stopped)) {
        halfClosed = true;
        out.onCompleted();
      }
    }

    synchronized void cancel() {
      out.cancel("measurement over", null);
    }

    @Override
    public void onNext(Count value) {}

    @Override
    public void onError(Throwable t) {
      ended.countDown();
    }

    @Override
    public void onCompleted() {
      ended.countDown();
    }
  }

  /** Counter increase per second between the end of the warm-up and the end of the run. */
  private static double rateOver(LongSupplier counter, long warmupNanos, long measureNanos) {
    long t0 = System.nanoTime();
    sleepUntil(t0 + warmupNanos);
    long before = counter.getAsLong();
    long from = System.nanoTime();
    sleepUntil(from + measureNanos);
    // A short window on a busy machine can end before the first message: extend it (bounded)
    // until one is counted, so a rate is a measurement and not a scheduling accident.
    ClosedLoop.extendUntilCounted(counter, before, () -> false);
    long after = counter.getAsLong();
    return (after - before) / ((System.nanoTime() - from) / 1e9);
  }

  private static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  /** Heap and CPU of idle open server streams. */
  static final class IdleCost {
    final int streams;
    final double heapMibPer1000;
    final double cpuMillisPerSecPer1000;
    final double brokerCpuMillisPerSecPer1000;

    IdleCost(int streams, double heap, double cpu, double brokerCpu) {
      this.streams = streams;
      this.heapMibPer1000 = heap;
      this.cpuMillisPerSecPer1000 = cpu;
      this.brokerCpuMillisPerSecPer1000 = brokerCpu;
    }
  }

  /**
   * Opens {@code count} Source calls that the server keeps open without sending, measures the
   * heap (after full GCs) and the CPU of this process over {@code idleNanos}, against the same
   * measurements before opening them, then cancels them all. Client and server share this JVM,
   * so the heap figure covers both ends of every stream.
   */
  static IdleCost idleStreams(GrpcEndpoint endpoint, BenchBroker broker, int count,
      long idleNanos, long openTimeoutNanos) throws InterruptedException {
    BenchGrpc.BenchStub stub = BenchGrpc.newStub(endpoint.channel);
    long heapBefore = usedHeapAfterGc();
    long[] cpuBefore = cpuOver(broker, idleNanos);
    List<ClientCallStreamObserver<?>> calls = new ArrayList<>(count);
    StreamRequest idle = StreamRequest.newBuilder().setCount(0).build();
    for (int i = 0; i < count; i++) {
      stub.withDeadlineAfter(10, TimeUnit.MINUTES).source(idle,
          new ClientResponseObserver<StreamRequest, Payload>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<StreamRequest> requestStream) {
              synchronized (calls) {
                calls.add(requestStream);
              }
            }

            @Override
            public void onNext(Payload value) {}

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          });
    }
    long deadline = System.nanoTime() + openTimeoutNanos;
    while (endpoint.service.idleOpen.get() < count && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
    }
    int open = endpoint.service.idleOpen.get();
    long heapAfter = settledHeapAfterGc(openTimeoutNanos);
    long[] cpuAfter = cpuOver(broker, idleNanos);
    synchronized (calls) {
      for (ClientCallStreamObserver<?> c : calls) {
        c.cancel("benchmark over", null);
      }
    }
    deadline = System.nanoTime() + openTimeoutNanos;
    while (endpoint.service.idleOpen.get() > 0 && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
    }
    double per1000 = 1000.0 / Math.max(1, open);
    double seconds = idleNanos / 1e9;
    double heap = (heapAfter - heapBefore) / (1024.0 * 1024.0) * per1000;
    double cpu = Math.max(0, cpuAfter[0] - cpuBefore[0]) / 1e6 / seconds * per1000;
    double brokerCpu = cpuBefore[1] < 0 ? Double.NaN
        : Math.max(0, cpuAfter[1] - cpuBefore[1]) / 1e6 / seconds * per1000;
    return new IdleCost(open, heap, cpu, brokerCpu);
  }

  /**
   * The used heap once the streams are idle. The handler counts a stream as open before the
   * server's accept frame is out, and with Paho on Mosquitto thousands of those can still wait in
   * the client library's publish window then: they are live, and sending them allocates, so a
   * reading 100 ms after a full GC counts both. That is a burst being sent, not what an idle
   * stream costs, so this measures until the heap stops falling (by less than 256 KiB from one
   * measurement to the next), at most 20 times and {@code timeoutNanos}.
   */
  private static long settledHeapAfterGc(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    long used = usedHeapAfterGc();
    for (int i = 0; i < 20 && System.nanoTime() - deadline < 0; i++) {
      long next = usedHeapAfterGc();
      if (used - next < 256 * 1024) {
        return Math.min(used, next);
      }
      used = next;
    }
    return used;
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    java.lang.management.MemoryMXBean memory =
        java.lang.management.ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** CPU time (ns) of this JVM and of the broker process during {@code nanos}. */
  private static long[] cpuOver(BenchBroker broker, long nanos) throws InterruptedException {
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long jvm0 = os.getProcessCpuTime();
    long broker0 = broker.cpuNanos();
    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(nanos));
    long jvm1 = os.getProcessCpuTime();
    long broker1 = broker.cpuNanos();
    return new long[] {jvm1 - jvm0, broker0 < 0 ? -1 : broker1 - broker0};
  }
}
