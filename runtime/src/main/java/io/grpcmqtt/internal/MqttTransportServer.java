package io.grpcmqtt.internal;

import io.grpc.InternalChannelz.SocketStats;
import io.grpc.InternalInstrumented;
import io.grpc.ServerStreamTracer;
import io.grpc.internal.InternalServer;
import io.grpc.internal.ServerListener;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.List;

/** The "listener" of an MQTT server: one broker connection instead of a listening socket. */
public final class MqttTransportServer implements InternalServer {
  private final ServerSettings settings;
  private final MethodRegistry registry;
  private final List<? extends ServerStreamTracer.Factory> tracerFactories;
  private final BrokerAddress address;
  private MqttServerTransport transport;
  private ServerListener listener;

  public MqttTransportServer(
      ServerSettings settings,
      MethodRegistry registry,
      List<? extends ServerStreamTracer.Factory> tracerFactories) {
    this.settings = settings;
    this.registry = registry;
    this.tracerFactories = tracerFactories;
    this.address = new BrokerAddress(settings.connection.brokerUriString());
  }

  @Override
  public void start(ServerListener listener) throws IOException {
    this.listener = listener;
    transport = new MqttServerTransport(settings, registry, tracerFactories);
    transport.start(listener);
  }

  /** Subscribes to the request topics; called once gRPC's server has started (StartedServer). */
  public void serveRequests() throws IOException {
    transport.serveRequests();
  }

  /** The transport stops taking requests once the broker has stopped routing them to it. */
  @Override
  public void shutdown() {
    if (listener != null) {
      listener.serverShutdown();
    }
  }

  @Override
  public SocketAddress getListenSocketAddress() {
    return address;
  }

  @Override
  public InternalInstrumented<SocketStats> getListenSocketStats() {
    return null;
  }

  @Override
  public List<? extends SocketAddress> getListenSocketAddresses() {
    return Collections.singletonList(address);
  }

  @Override
  public List<InternalInstrumented<SocketStats>> getListenSocketStatsList() {
    return null;
  }
}
