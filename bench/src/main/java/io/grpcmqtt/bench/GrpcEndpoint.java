package io.grpcmqtt.bench;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpcmqtt.bench.proto.BenchGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.MqttServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.annotation.Nullable;

/**
 * A server hosting {@link BenchService} and a channel to it: through a broker with grpc-mqtt, or
 * directly over HTTP/2 on loopback. Both use grpc-java's default executors.
 */
final class GrpcEndpoint implements AutoCloseable {
  final String impl;
  final ManagedChannel channel;
  final BenchService service;
  /** Messages the service's Sink calls have received, wherever the service runs. */
  final LongSupplier sinkReceived;
  @Nullable private final Server server;

  private GrpcEndpoint(String impl, @Nullable Server server, ManagedChannel channel, BenchService service) {
    this(impl, server, channel, service, service.sinkReceived::get);
  }

  private GrpcEndpoint(String impl, @Nullable Server server, ManagedChannel channel,
      BenchService service, LongSupplier sinkReceived) {
    this.impl = impl;
    this.server = server;
    this.channel = channel;
    this.service = service;
    this.sinkReceived = sinkReceived;
    // Channels connect lazily: connect now, so no scenario measures the connection set-up.
    BenchGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .echo(BenchService.payload(1));
  }

  /**
   * grpc-mqtt at QoS 1 for large messages: both ends accept {@code maxMessageBytes}, and streams
   * keep at most {@code window} messages ahead of their reader.
   */
  static GrpcEndpoint mqttLarge(String brokerUri, int maxMessageBytes, int window)
      throws IOException {
    BenchService service = new BenchService();
    String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    Server server = MqttServerBuilder.forBroker(brokerUri)
        .topicPrefix(prefix)
        .maxInboundMessageSize(maxMessageBytes)
        .flowControlWindow(window)
        .addService(service)
        .build()
        .start();
    return new GrpcEndpoint("grpc-mqtt", server, MqttChannelBuilder.forBroker(brokerUri)
        .topicPrefix(prefix)
        .maxInboundMessageSize(maxMessageBytes)
        .flowControlWindow(window)
        .build(), service);
  }

  /** grpc-mqtt at {@code qos}, under a topic prefix of its own. */
  static GrpcEndpoint mqtt(String brokerUri, int qos) throws IOException {
    return mqtt(brokerUri, qos, false);
  }

  /**
   * grpc-mqtt; with {@code direct}, server and channel use {@code directExecutor()}: handlers and
   * callbacks run on the MQTT client's delivery thread, which saves grpc-java's executor hand-offs
   * (a diagnostic variant: fine for the non-blocking benchmark service only).
   */
  static GrpcEndpoint mqtt(String brokerUri, int qos, boolean direct) throws IOException {
    String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    BenchService service = new BenchService();
    Server server = mqttServer(brokerUri, qos, prefix, direct, service);
    MqttChannelBuilder channelBuilder = MqttChannelBuilder.forBroker(brokerUri)
        .topicPrefix(prefix)
        .qos(qos);
    if (direct) {
      channelBuilder.directExecutor();
    }
    return new GrpcEndpoint(direct ? "grpc-mqtt-direct" : "grpc-mqtt", server,
        channelBuilder.build(), service);
  }

  /**
   * A grpc-mqtt channel to the server {@code remote} hosts; {@link #service} is then this
   * process's unused copy, and {@link #sinkReceived} counts what the remote one receives.
   */
  static GrpcEndpoint mqttChannel(String brokerUri, int qos, ServerProcess remote) {
    return new GrpcEndpoint("grpc-mqtt", null,
        MqttChannelBuilder.forBroker(brokerUri).topicPrefix(remote.runId).qos(qos).build(),
        new BenchService(), remote::sinkReceived);
  }

  /** The started grpc-mqtt server of {@code service} under {@code prefix}. */
  static Server mqttServer(String brokerUri, int qos, String prefix, boolean direct,
      BenchService service) throws IOException {
    MqttServerBuilder serverBuilder = MqttServerBuilder.forBroker(brokerUri)
        .topicPrefix(prefix)
        .qos(qos)
        // The bench's one channel is one caller opening up to --idle-streams streams: it measures
        // what streams cost, so the admission limits (1,000 per caller by default) stay out of it.
        .maxConcurrentCalls(Integer.MAX_VALUE)
        .maxConcurrentCallsPerClient(Integer.MAX_VALUE)
        .addService(service);
    if (direct) {
      serverBuilder.directExecutor();
    }
    return serverBuilder.build().start();
  }

  /**
   * grpc-java over HTTP/2 (Netty) on 127.0.0.1, plaintext; with {@code direct}, server and channel
   * use {@code directExecutor()}, as {@link #mqtt(String, int, boolean)} does: the two measure what
   * grpc-java's executor hand-offs cost on its own transport.
   */
  static GrpcEndpoint http2(boolean direct) throws IOException {
    BenchService service = new BenchService();
    NettyServerBuilder serverBuilder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service);
    if (direct) {
      serverBuilder.directExecutor();
    }
    Server server = serverBuilder.build().start();
    int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    NettyChannelBuilder channelBuilder =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext();
    if (direct) {
      channelBuilder.directExecutor();
    }
    return new GrpcEndpoint(direct ? "grpc-http2-direct" : "grpc-http2", server,
        channelBuilder.build(), service);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    if (server != null) {
      server.shutdownNow();
    }
    channel.awaitTermination(10, TimeUnit.SECONDS);
    if (server != null) {
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
