package io.grpcmqtt.internal;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@link Server} an {@code MqttServerBuilder} builds: gRPC's own server, which subscribes to
 * its request topics only once that server has started. gRPC's server sets up the executor it
 * runs calls on after its transport has started, so a request that arrived in between (an instance
 * restarted under load gets one within milliseconds) would find none and be lost.
 */
public final class StartedServer extends Server {
  private final Server delegate;
  private final MqttTransportServer transportServer;

  public StartedServer(Server delegate, MqttTransportServer transportServer) {
    this.delegate = delegate;
    this.transportServer = transportServer;
  }

  /** Connects, starts gRPC's server, then subscribes to the requests and announces "online". */
  @Override
  public Server start() throws IOException {
    delegate.start();
    try {
      transportServer.serveRequests();
    } catch (IOException | RuntimeException e) {
      delegate.shutdownNow();
      throw e;
    }
    return this;
  }

  @Override
  public int getPort() {
    return delegate.getPort();
  }

  @Override
  public List<? extends SocketAddress> getListenSockets() {
    return delegate.getListenSockets();
  }

  @Override
  public List<ServerServiceDefinition> getServices() {
    return delegate.getServices();
  }

  @Override
  public List<ServerServiceDefinition> getImmutableServices() {
    return delegate.getImmutableServices();
  }

  @Override
  public List<ServerServiceDefinition> getMutableServices() {
    return delegate.getMutableServices();
  }

  @Override
  public Server shutdown() {
    delegate.shutdown();
    return this;
  }

  @Override
  public Server shutdownNow() {
    delegate.shutdownNow();
    return this;
  }

  @Override
  public boolean isShutdown() {
    return delegate.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return delegate.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return delegate.awaitTermination(timeout, unit);
  }

  @Override
  public void awaitTermination() throws InterruptedException {
    delegate.awaitTermination();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
