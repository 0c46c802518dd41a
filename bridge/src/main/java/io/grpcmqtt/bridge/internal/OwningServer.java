package io.grpcmqtt.bridge.internal;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A server that owns the channel its calls are forwarded on, and shuts it down with itself. */
public final class OwningServer extends Server {
  private final Server server;
  private final ManagedChannel channel;

  public OwningServer(Server server, ManagedChannel channel) {
    this.server = server;
    this.channel = channel;
  }

  @Override
  public Server start() throws IOException {
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      channel.shutdownNow();
      throw e;
    }
    return this;
  }

  @Override
  public int getPort() {
    return server.getPort();
  }

  @Override
  public List<? extends SocketAddress> getListenSockets() {
    return server.getListenSockets();
  }

  @Override
  public List<ServerServiceDefinition> getServices() {
    return server.getServices();
  }

  @Override
  public List<ServerServiceDefinition> getImmutableServices() {
    return server.getImmutableServices();
  }

  @Override
  public List<ServerServiceDefinition> getMutableServices() {
    return server.getMutableServices();
  }

  /** Takes no new calls; calls in progress finish on the channel, which then closes. */
  @Override
  public Server shutdown() {
    server.shutdown();
    channel.shutdown();
    return this;
  }

  @Override
  public Server shutdownNow() {
    server.shutdownNow();
    channel.shutdownNow();
    return this;
  }

  @Override
  public boolean isShutdown() {
    return server.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return server.isTerminated() && channel.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    return server.awaitTermination(timeout, unit)
        && channel.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  @Override
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
    channel.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
  }

  @Override
  public String toString() {
    return server.toString();
  }
}
