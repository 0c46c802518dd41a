package io.grpcmqtt.gateway;

import io.grpc.ManagedChannel;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A Gateway on a real broker with a real store and an HTTP/2 listener on a free loopback port,
 * plus a channel to it over the chosen {@link Transport}, in a deployment of its own (RPC topic
 * prefix and shared group named after it, so tests sharing a broker never meet). Queue topics from
 * {@link #topic(String)} are unique too.
 */
final class TestGateway implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  final TestBroker broker;
  final StoreKind.Location store;
  final Transport transport;
  final String prefix;
  final String channelId;
  ManagedChannel channel;
  private final Consumer<GatewayConfig.Builder> settings;
  private int grpcPort;
  private Gateway gateway;

  TestGateway(TestBroker broker, StoreKind.Location store) {
    this(broker, store, Transport.MQTT, b -> {});
  }

  TestGateway(TestBroker broker, StoreKind.Location store, Consumer<GatewayConfig.Builder> settings) {
    this(broker, store, Transport.MQTT, null, settings);
  }

  TestGateway(TestBroker broker, StoreKind.Location store, Transport transport) {
    this(broker, store, transport, null, b -> {});
  }

  TestGateway(TestBroker broker, StoreKind.Location store, Transport transport,
      Consumer<GatewayConfig.Builder> settings) {
    this(broker, store, transport, null, settings);
  }

  /**
   * @param deployment the deployment (and RPC prefix) to join, e.g. another TestGateway's {@link
   *     #prefix}; null for a new one
   */
  TestGateway(TestBroker broker, StoreKind.Location store, String deployment, Consumer<GatewayConfig.Builder> settings) {
    this(broker, store, Transport.MQTT, deployment, settings);
  }

  TestGateway(TestBroker broker, StoreKind.Location store, Transport transport, String deployment,
      Consumer<GatewayConfig.Builder> settings) {
    this.broker = broker;
    this.store = store;
    this.transport = transport;
    this.settings = settings;
    int n = COUNTER.incrementAndGet();
    this.prefix = deployment != null ? deployment : "gw" + ProcessHandle.current().pid() + "x" + n;
    this.channelId = "gw-test-channel-" + ProcessHandle.current().pid() + "-" + n;
    start();
    this.channel = transport.channel(this);
  }

  /** A queue topic no other test uses. */
  String topic(String name) {
    return "test/" + prefix + "/" + name;
  }

  Gateway gateway() {
    return gateway;
  }

  /** The settings every test Gateway has: its deployment and prefix, a quick poll, HTTP/2 on loopback. */
  GatewayConfig.Builder config() {
    return GatewayConfig.builder(broker.uri())
        .deployment(prefix)
        .rpcTopicPrefix(prefix)
        .pollInterval(Duration.ofMillis(200))
        // After a restart, the same port: HTTP/2 channels keep working.
        .grpcListen(new InetSocketAddress("127.0.0.1", grpcPort));
  }

  void start() {
    try {
      GatewayConfig.Builder b = config();
      settings.accept(b);
      gateway = Gateway.start(b.build(), store.open());
      grpcPort = gateway.grpcPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the Gateway (as on SIGTERM) and starts a new one on the same store. */
  void restart() {
    gateway.close();
    start();
  }

  /** Drops the client's connection (its calls end as when a client dies) and makes a new one. */
  void reconnect() {
    shutdownChannel();
    channel = transport.channel(this);
  }

  RobustMQGatewayGrpc.RobustMQGatewayBlockingStub blocking() {
    return RobustMQGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  RobustMQGatewayGrpc.RobustMQGatewayStub async() {
    return RobustMQGatewayGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private void shutdownChannel() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    shutdownChannel();
    gateway.close();
  }
}
