package io.grpcmqtt.samples;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a command has started, stopped in reverse order by {@link #close()}: when the command
 * ends, or from a JVM shutdown hook on SIGTERM or Ctrl-C. Servers and channels are shut down
 * gracefully (in-flight calls may finish) for up to {@link #GRACE_SECONDS}, then forcefully.
 */
public final class Resources implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Resources.class);

  /** How long a server or channel may take to finish its calls before they are cancelled. */
  static final long GRACE_SECONDS = 5;

  private interface Stopper {
    void stop() throws Exception;
  }

  private final Deque<String> names = new ArrayDeque<>();
  private final Deque<Stopper> stoppers = new ArrayDeque<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread hook;

  /** Registers the shutdown hook; {@link #close()} removes it. */
  public Resources() {
    hook = new Thread(this::closeFromHook, "grpc-mqtt-samples-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Closes {@code resource} on close, after everything added later. */
  public synchronized <T extends AutoCloseable> T closeable(String name, T resource) {
    names.push(name);
    stoppers.push(resource::close);
    return resource;
  }

  /** Shuts {@code server} down on close: gracefully, then forcefully. */
  public synchronized Server server(String name, Server server) {
    names.push(name);
    stoppers.push(
        () -> {
          server.shutdown();
          if (!server.awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS)) {
            log.warn("{} still had calls after {} s; cancelling them", name, GRACE_SECONDS);
            server.shutdownNow().awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS);
          }
        });
    return server;
  }

  /** Shuts {@code channel} down on close: gracefully, then forcefully. */
  public synchronized ManagedChannel channel(String name, ManagedChannel channel) {
    names.push(name);
    stoppers.push(
        () -> {
          channel.shutdown();
          if (!channel.awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS)) {
            log.warn("{} still had calls after {} s; cancelling them", name, GRACE_SECONDS);
            channel.shutdownNow().awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS);
          }
        });
    return channel;
  }

  /** Blocks until {@link #close()} has run (e.g. from the shutdown hook on SIGTERM). */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /** Stops everything added, newest first. Idempotent; failures are logged, not thrown. */
  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is exiting: the hook runs (or ran) anyway.
    }
  }

  private void closeFromHook() {
    log.info("Shutdown requested");
    stopAll();
  }

  private synchronized void stopAll() {
    while (!stoppers.isEmpty()) {
      String name = names.pop();
      Stopper stopper = stoppers.pop();
      long t0 = System.nanoTime();
      try {
        stopper.stop();
        log.info("Stopped {} in {} ms", name, (System.nanoTime() - t0) / 1_000_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.warn("Interrupted while stopping {}", name);
      } catch (Exception e) {
        log.warn("Could not stop {} cleanly", name, e);
      }
    }
    closed.countDown();
  }
}
