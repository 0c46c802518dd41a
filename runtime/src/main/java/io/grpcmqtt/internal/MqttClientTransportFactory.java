package io.grpcmqtt.internal;

import io.grpc.ChannelCredentials;
import io.grpc.ChannelLogger;
import io.grpc.internal.ClientTransportFactory;
import io.grpc.internal.ConnectionClientTransport;
import java.net.SocketAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ScheduledExecutorService;

/** Makes the MQTT transports of one channel; every transport is one broker connection. */
public final class MqttClientTransportFactory implements ClientTransportFactory {
  private final ConnectionConfig config;
  /** Held until the channel terminated, which it does after its transports. */
  private final RuntimeExecutors.Lease executors = RuntimeExecutors.acquire();

  public MqttClientTransportFactory(ConnectionConfig config) {
    this.config = config;
  }

  @Override
  public ConnectionClientTransport newClientTransport(
      SocketAddress address, ClientTransportOptions options, ChannelLogger channelLogger) {
    return new MqttClientTransport(config, options.getEagAttributes(), executors);
  }

  @Override
  public ScheduledExecutorService getScheduledExecutorService() {
    // grpc-java's call deadlines, reconnect back-off and idle timer: the runtime's scheduler.
    return executors.scheduler();
  }

  @Override
  public SwapChannelCredentialsResult swapChannelCredentials(ChannelCredentials channelCreds) {
    return null;
  }

  @Override
  public void close() {
    executors.release();
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getSupportedSocketAddressTypes() {
    return Collections.singleton(BrokerAddress.class);
  }
}
