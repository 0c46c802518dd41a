package io.grpcmqtt.cli;

import io.grpc.Server;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/** Keeps a long-running command alive until SIGTERM or Ctrl-C, then stops it cleanly. */
final class UntilTerminated {
  /** How long calls in progress may take to finish after SIGTERM before they are cancelled. */
  private static final long GRACE_SECONDS = 10;

  private UntilTerminated() {}

  /** Blocks until the JVM is asked to exit; {@code stop} runs in the shutdown hook. */
  static void await(Logger log, String what, Runnable stop) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping {}", what);
      try {
        stop.run();
      } finally {
        log.info("stopped {}", what);
        stopped.countDown();
      }
    }, "grpc-mqtt-shutdown"));
    stopped.await();
  }

  /** Stops a server: no new calls, calls in progress get a grace period, then are cancelled. */
  static void stop(Server server) {
    server.shutdown();
    try {
      if (!server.awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
