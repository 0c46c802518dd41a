package io.grpcmqtt.samples.echo;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.samples.echo.v1.EchoGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An Echo server and a channel to it on one broker, under a topic prefix of their own. */
final class EchoRpc implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  final TestBroker broker;
  final String prefix = uniquePrefix();
  final EchoService service = new EchoService();
  final Server server;
  final ManagedChannel channel;

  EchoRpc(TestBroker broker) throws IOException {
    this.broker = broker;
    this.server =
        MqttServerBuilder.forBroker(broker.uri()).topicPrefix(prefix).addService(service).build().start();
    this.channel = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).build();
  }

  /** A topic prefix no other test uses, on any broker. */
  static String uniquePrefix() {
    return "samples" + ProcessHandle.current().pid() + "x" + COUNTER.incrementAndGet();
  }

  EchoGrpc.EchoBlockingStub blocking() {
    return EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  EchoGrpc.EchoStub async() {
    return EchoGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    try {
      channel.awaitTermination(10, TimeUnit.SECONDS);
      server.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
