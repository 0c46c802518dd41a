package io.grpcmqtt.bench;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.bench.proto.BenchGrpc;
import io.grpcmqtt.bench.proto.Payload;
import java.io.PrintStream;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the tasks grpc-java hands to the server's and the channel's executor per unary call
 * ({@code java -jar grpc-mqtt-bench.jar handoffs}). Each task is a wake-up of another thread: the
 * part of a call's cost that the raw MQTT floor does not have. "inline" runs every task at once on
 * the submitting thread, the worst case of a busy machine made deterministic; "pool" is a cached
 * thread pool like grpc-java's default executor.
 */
final class HandOffs {
  private static final int WARM_UP_CALLS = 500;
  private static final int CALLS = 2_000;

  private HandOffs() {}

  /** An executor that counts what it is given. */
  private static final class Counting implements Executor {
    final AtomicLong tasks = new AtomicLong();
    private final boolean inline;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "handoffs-pool");
      t.setDaemon(true);
      return t;
    });

    Counting(boolean inline) {
      this.inline = inline;
    }

    @Override
    public void execute(Runnable task) {
      tasks.incrementAndGet();
      if (inline) {
        task.run();
      } else {
        pool.execute(task);
      }
    }
  }

  static void run(String brokerUri, PrintStream out) throws Exception {
    out.printf("%-7s %-6s %22s %23s%n", "mode", "retry", "server tasks per call",
        "channel tasks per call");
    for (boolean inline : new boolean[] {true, false}) {
      for (boolean retry : new boolean[] {true, false}) {
        double[] perCall = measure(brokerUri, inline, retry);
        out.printf("%-7s %-6s %22.2f %23.2f%n", inline ? "inline" : "pool", retry ? "on" : "off",
            perCall[0], perCall[1]);
      }
    }
  }

  private static double[] measure(String uri, boolean inline, boolean retry) throws Exception {
    Counting serverExecutor = new Counting(inline);
    Counting channelExecutor = new Counting(inline);
    String prefix = "handoffs-" + UUID.randomUUID().toString().substring(0, 8);
    Server server = MqttServerBuilder.forBroker(uri).topicPrefix(prefix).executor(serverExecutor)
        .addService(new BenchGrpc.BenchImplBase() {
          @Override
          public void echo(Payload request, StreamObserver<Payload> response) {
            response.onNext(request);
            response.onCompleted();
          }
        }).build().start();
    MqttChannelBuilder builder =
        MqttChannelBuilder.forBroker(uri).topicPrefix(prefix).executor(channelExecutor);
    if (retry) {
      builder.enableRetry();
    } else {
      builder.disableRetry();
    }
    ManagedChannel channel = builder.build();
    try {
      BenchGrpc.BenchStub stub = BenchGrpc.newStub(channel);
      calls(stub, WARM_UP_CALLS);
      // The last call's server side ends at its PUBACK, a moment after the client has its reply.
      Thread.sleep(200);
      long server0 = serverExecutor.tasks.get();
      long channel0 = channelExecutor.tasks.get();
      calls(stub, CALLS);
      Thread.sleep(200);
      return new double[] {(serverExecutor.tasks.get() - server0) / (double) CALLS,
          (channelExecutor.tasks.get() - channel0) / (double) CALLS};
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** One call at a time, each started when the previous one has ended. */
  private static void calls(BenchGrpc.BenchStub stub, int count) throws InterruptedException {
    Payload request = BenchService.payload(64);
    for (int i = 0; i < count; i++) {
      CountDownLatch done = new CountDownLatch(1);
      stub.withDeadlineAfter(10, TimeUnit.SECONDS).echo(request, new StreamObserver<>() {
        @Override
        public void onNext(Payload value) {}

        @Override
        public void onError(Throwable t) {
          done.countDown();
        }

        @Override
        public void onCompleted() {
          done.countDown();
        }
      });
      if (!done.await(15, TimeUnit.SECONDS)) {
        throw new IllegalStateException("call " + i + " did not end within 15 s");
      }
    }
  }
}
