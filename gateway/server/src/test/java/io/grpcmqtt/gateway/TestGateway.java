package io.grpcmqtt.gateway;

import io.grpc.ManagedChannel;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A Gateway on a real broker with a real store, plus a grpc-mqtt channel to it, in a deployment of
 * its own (RPC topic prefix and shared group named after it, so tests sharing a broker never meet).
 * Queue topics from {@link #topic(String)} are unique too.
 */
final class TestGateway implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  final TestBroker broker;
  final StoreKind.Location store;
  final String prefix;
  final String channelId;
  final ManagedChannel channel;
  private final Consumer<Gateway.Builder> settings;
  private final int n;
  private Gateway gateway;

  TestGateway(TestBroker broker, StoreKind.Location store) {
    this(broker, store, b -> {});
  }

  TestGateway(TestBroker broker, StoreKind.Location store, Consumer<Gateway.Builder> settings) {
    this(broker, store, null, settings);
  }

  /**
   * @param deployment the deployment (and RPC prefix) to join, e.g. another TestGateway's {@link
   *     #prefix}; null for a new one
   */
  TestGateway(TestBroker broker, StoreKind.Location store, String deployment, Consumer<Gateway.Builder> settings) {
    this.broker = broker;
    this.store = store;
    this.settings = settings;
    this.n = COUNTER.incrementAndGet();
    this.prefix = deployment != null ? deployment : "gw" + ProcessHandle.current().pid() + "x" + n;
    this.channelId = "gw-test-channel-" + ProcessHandle.current().pid() + "-" + n;
    start();
    this.channel = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).clientId(channelId).build();
  }

  /** A queue topic no other test uses. */
  String topic(String name) {
    return "test/" + prefix + "/" + name;
  }

  Gateway gateway() {
    return gateway;
  }

  void start() {
    try {
      Gateway.Builder b = Gateway.builder(broker.uri(), store.open())
          .deployment(prefix)
          .rpcTopicPrefix(prefix)
          .pollInterval(Duration.ofMillis(200));
      settings.accept(b);
      gateway = b.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the Gateway (as on SIGTERM) and starts a new one on the same store. */
  void restart() {
    gateway.close();
    start();
  }

  RobustMQGatewayGrpc.RobustMQGatewayBlockingStub blocking() {
    return RobustMQGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  RobustMQGatewayGrpc.RobustMQGatewayStub async() {
    return RobustMQGatewayGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    gateway.close();
  }
}
