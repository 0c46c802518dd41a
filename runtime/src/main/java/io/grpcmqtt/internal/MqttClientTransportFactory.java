package io.grpcmqtt.internal;

import io.grpc.ChannelCredentials;
import io.grpc.ChannelLogger;
import io.grpc.internal.ClientTransportFactory;
import io.grpc.internal.ConnectionClientTransport;
import io.grpc.internal.GrpcUtil;
import io.grpc.internal.SharedResourceHolder;
import java.net.SocketAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ScheduledExecutorService;

/** Makes the MQTT transports of one channel; every transport is one broker connection. */
public final class MqttClientTransportFactory implements ClientTransportFactory {
  private final ConnectionConfig config;
  private final ScheduledExecutorService timer = SharedResourceHolder.get(GrpcUtil.TIMER_SERVICE);
  private boolean closed;

  public MqttClientTransportFactory(ConnectionConfig config) {
    this.config = config;
  }

  @Override
  public ConnectionClientTransport newClientTransport(
      SocketAddress address, ClientTransportOptions options, ChannelLogger channelLogger) {
    return new MqttClientTransport(config, options.getEagAttributes());
  }

  @Override
  public ScheduledExecutorService getScheduledExecutorService() {
    return timer;
  }

  @Override
  public SwapChannelCredentialsResult swapChannelCredentials(ChannelCredentials channelCreds) {
    return null;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      SharedResourceHolder.release(GrpcUtil.TIMER_SERVICE, timer);
    }
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getSupportedSocketAddressTypes() {
    return Collections.singleton(BrokerAddress.class);
  }
}
