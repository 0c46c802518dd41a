package io.grpcmqtt.bridge;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.bridge.test.v1.EchoGrpc;
import io.grpcmqtt.bridge.test.v1.EchoProto;
import io.grpcmqtt.testing.TestBroker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pieces of one bridge test, each under a topic prefix of its own: an {@link EchoService}
 * somewhere, the proxies in front of it, and the channel the test calls with.
 */
final class Topology implements AutoCloseable {
  static final String SERVICE = "grpcmqtt.bridge.test.v1.Echo";
  private static final AtomicInteger COUNTER = new AtomicInteger();

  final TestBroker broker;
  final String prefix;
  final EchoService service = new EchoService();
  private final Deque<Server> servers = new ArrayDeque<>();
  /** What the test calls: the ingress over HTTP/2, or the broker over MQTT. */
  ManagedChannel client;
  /** The ingress proxy's HTTP/2 port; 0 without an ingress. */
  int ingressPort;
  /** The plain gRPC server's HTTP/2 port; 0 without one. */
  int farPort;

  private Topology(TestBroker broker) {
    this.broker = broker;
    this.prefix = "b" + ProcessHandle.current().pid() + "x" + COUNTER.incrementAndGet();
  }

  /** Client → ingress → broker → egress → plain grpc-netty server. */
  static Topology doubleProxy(TestBroker broker, MethodTypes types) throws IOException {
    Topology t = new Topology(broker);
    t.startFarServer();
    t.startEgress("127.0.0.1:" + t.farPort);
    t.startIngress(types);
    return t;
  }

  /**
   * Client → ingress → broker → egress → plain grpc-netty server, both proxies given the
   * service's descriptor.
   */
  static Topology doubleProxyDescribed(TestBroker broker) throws IOException {
    Topology t = new Topology(broker);
    t.startFarServer();
    t.servers.push(
        EgressProxy.forTarget(
                MqttServerBuilder.forBroker(broker.uri()).topicPrefix(t.prefix), "127.0.0.1:" + t.farPort)
            .addService(EchoProto.getDescriptor().findServiceByName("Echo"))
            .build()
            .start());
    t.startIngress(MethodTypes.of(List.of(EchoProto.getDescriptor())));
    return t;
  }

  /** Client → ingress → broker → grpc-mqtt server hosting the service natively. */
  static Topology ingressToNative(TestBroker broker, MethodTypes types) throws IOException {
    Topology t = new Topology(broker);
    t.startNativeServer();
    t.startIngress(types);
    return t;
  }

  /** grpc-mqtt channel → broker → egress → plain grpc-netty server. */
  static Topology egressOnly(TestBroker broker) throws IOException {
    Topology t = new Topology(broker);
    t.startFarServer();
    t.startEgress("127.0.0.1:" + t.farPort);
    t.client = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(t.prefix).build();
    return t;
  }

  /** Client → ingress → broker, where nothing serves the service. */
  static Topology ingressAlone(TestBroker broker) throws IOException {
    Topology t = new Topology(broker);
    t.startIngress(MethodTypes.allBidi());
    return t;
  }

  /** Client → ingress → broker → egress → a port where nothing listens. */
  static Topology egressToNowhere(TestBroker broker, int deadPort) throws IOException {
    Topology t = new Topology(broker);
    t.startEgress("127.0.0.1:" + deadPort);
    t.startIngress(MethodTypes.allBidi());
    return t;
  }

  private void startFarServer() throws IOException {
    Server far =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .addService(service.definition())
            .build()
            .start();
    servers.push(far);
    farPort = far.getPort();
  }

  private void startNativeServer() throws IOException {
    servers.push(
        MqttServerBuilder.forBroker(broker.uri())
            .topicPrefix(prefix)
            .addService(service.definition())
            .build()
            .start());
  }

  private void startEgress(String target) throws IOException {
    servers.push(
        EgressProxy.forTarget(MqttServerBuilder.forBroker(broker.uri()).topicPrefix(prefix), target)
            .addService(SERVICE)
            .build()
            .start());
  }

  private void startIngress(MethodTypes types) throws IOException {
    Server ingress =
        IngressProxy.forAddress(
                new InetSocketAddress("127.0.0.1", 0),
                MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).build())
            .methodTypes(types)
            .build()
            .start();
    servers.push(ingress);
    ingressPort = ingress.getPort();
    client =
        Grpc.newChannelBuilder("127.0.0.1:" + ingressPort, InsecureChannelCredentials.create())
            .build();
  }

  /** A loopback port nothing listens on (it was free a moment ago). */
  static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  EchoGrpc.EchoBlockingStub blocking() {
    return EchoGrpc.newBlockingStub(client).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  EchoGrpc.EchoStub async() {
    return EchoGrpc.newStub(client).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    try {
      if (client != null) {
        client.shutdownNow();
        client.awaitTermination(10, TimeUnit.SECONDS);
      }
      for (Server server : servers) {
        server.shutdownNow();
      }
      for (Server server : servers) {
        server.awaitTermination(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
