package io.grpcmqtt.bridge;

import static com.google.common.base.Preconditions.checkNotNull;

import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpcmqtt.bridge.internal.ForwardingRegistry;
import io.grpcmqtt.bridge.internal.OwningServer;
import io.grpcmqtt.bridge.internal.TrailingDeadlines;
import java.net.SocketAddress;
import java.util.stream.Collectors;

/**
 * The ingress half of the bridge: a standard gRPC server (HTTP/2) that accepts any method and
 * forwards each call over MQTT, so an unmodified gRPC client in any language reaches services
 * behind a broker.
 *
 * <pre>{@code
 * Server ingress = IngressProxy.forAddress(
 *         new InetSocketAddress("127.0.0.1", 50051),
 *         MqttChannelBuilder.forBroker("tcp://127.0.0.1:1883").build())
 *     .methodTypes(MethodTypes.of(List.of(GreeterProto.getDescriptor())))
 *     .build()
 *     .start();
 * }</pre>
 *
 * <p>Messages are forwarded as bytes, never parsed. Request and response metadata, the deadline,
 * cancellation, the status (code, message, details) and trailers go through unchanged; both sides
 * are flow-controlled. Services added to the HTTP/2 server builder itself (health, reflection) are
 * served locally and win over forwarding. A method name that cannot be an MQTT topic (wildcards,
 * extra slashes) is answered {@code UNIMPLEMENTED}.
 *
 * <p>Each call's kind is announced over MQTT as {@link MethodTypes} says: give descriptors when
 * the far side is a grpc-mqtt server hosting the methods itself; without them every call goes as
 * bidi, which an {@link EgressProxy} (or any fallback registry) serves for every kind.
 */
public final class IngressProxy {
  private IngressProxy() {}

  /**
   * A proxy served by {@code http2Server} (configured as the caller likes: address, TLS, limits)
   * that forwards on {@code mqttChannel}. The proxy owns the channel: shutting the returned server
   * down shuts the channel down too.
   */
  public static Builder builder(ServerBuilder<?> http2Server, ManagedChannel mqttChannel) {
    return new Builder(checkNotNull(http2Server, "http2Server"), checkNotNull(mqttChannel, "mqttChannel"));
  }

  /** A plaintext HTTP/2 proxy listening on {@code address}, forwarding on {@code mqttChannel}. */
  public static Builder forAddress(SocketAddress address, ManagedChannel mqttChannel) {
    return builder(
        NettyServerBuilder.forAddress(checkNotNull(address, "address"), InsecureServerCredentials.create()),
        mqttChannel);
  }

  /** Configures an ingress proxy. */
  public static final class Builder {
    private final ServerBuilder<?> http2Server;
    private final ManagedChannel mqttChannel;
    private MethodTypes methodTypes = MethodTypes.allBidi();

    private Builder(ServerBuilder<?> http2Server, ManagedChannel mqttChannel) {
      this.http2Server = http2Server;
      this.mqttChannel = mqttChannel;
    }

    /** The call kind to announce over MQTT for each method; default: every call as bidi. */
    public Builder methodTypes(MethodTypes methodTypes) {
      this.methodTypes = checkNotNull(methodTypes, "methodTypes");
      return this;
    }

    /** The proxy, not started: {@code start()} binds the HTTP/2 port. */
    public Server build() {
      MethodTypes types = methodTypes;
      http2Server.fallbackHandlerRegistry(
          new ForwardingRegistry(mqttChannel, ForwardingRegistry::isTopicSafe, types::typeOf));
      // An expired deadline then reaches callers as DEADLINE_EXCEEDED trailers, not a reset stream.
      TrailingDeadlines deadlines = new TrailingDeadlines();
      http2Server.addStreamTracerFactory(deadlines);
      Server server = http2Server.build();
      deadlines.servedDirectly(server.getServices().stream()
          .flatMap(service -> service.getMethods().stream())
          .map(method -> method.getMethodDescriptor().getFullMethodName())
          .collect(Collectors.toSet()));
      return new OwningServer(server, mqttChannel);
    }
  }
}
