package io.grpcmqtt.bridge;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableSet;
import com.google.common.collect.Sets;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Server;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.bridge.internal.DescribedServices;
import io.grpcmqtt.bridge.internal.ForwardingRegistry;
import io.grpcmqtt.bridge.internal.OwningServer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The egress half of the bridge: a grpc-mqtt server that takes the calls of the configured
 * services from the broker and forwards each to an existing gRPC server over HTTP/2, so an
 * unmodified server in any language is reachable through MQTT.
 *
 * <pre>{@code
 * Server egress = EgressProxy.forTarget(
 *         MqttServerBuilder.forBroker("tcp://127.0.0.1:1883"), "127.0.0.1:50052")
 *     .addService("helloworld.Greeter")
 *     .build()
 *     .start();
 * }</pre>
 *
 * <p>Messages are forwarded as bytes; metadata, deadline, cancellation, status and trailers go
 * through unchanged, flow-controlled on both sides. Several egress proxies for one service split
 * the calls through the shared subscription, like any grpc-mqtt servers.
 *
 * <p>A service named with {@link Builder#addService(String)} needs no descriptor: the kind of each
 * call is read from its first MQTT message, and clients must send protobuf. A service given as a
 * descriptor ({@link Builder#addService(ServiceDescriptor)}) is hosted like a generated one: its
 * kinds and message types are known, so devices may send JSON ({@code Content Type:
 * application/json}) and malformed requests are rejected at the proxy.
 */
public final class EgressProxy {
  private EgressProxy() {}

  /**
   * A proxy registered on the broker through {@code mqttServer} (configured as the caller likes:
   * prefix, credentials, shared group) that forwards to {@code upstream}. The proxy owns the
   * channel: shutting the returned server down shuts the channel down too.
   */
  public static Builder builder(MqttServerBuilder mqttServer, ManagedChannel upstream) {
    return new Builder(checkNotNull(mqttServer, "mqttServer"), checkNotNull(upstream, "upstream"));
  }

  /** A proxy forwarding to the gRPC server at {@code target} ({@code host:port}) in plaintext. */
  public static Builder forTarget(MqttServerBuilder mqttServer, String target) {
    return builder(
        mqttServer,
        Grpc.newChannelBuilder(checkNotNull(target, "target"), InsecureChannelCredentials.create())
            .build());
  }

  /** Configures an egress proxy. */
  public static final class Builder {
    private final MqttServerBuilder mqttServer;
    private final ManagedChannel upstream;
    private final Set<String> services = new LinkedHashSet<>();
    private final Map<String, ServiceDescriptor> described = new LinkedHashMap<>();

    private Builder(MqttServerBuilder mqttServer, ManagedChannel upstream) {
      this.mqttServer = mqttServer;
      this.upstream = upstream;
    }

    /** Forwards the calls of {@code fullServiceName} ({@code package.Service}). */
    public Builder addService(String fullServiceName) {
      checkArgument(
          fullServiceName != null && ForwardingRegistry.isTopicSafe(fullServiceName + "/m"),
          "invalid service name '%s'", fullServiceName);
      services.add(fullServiceName);
      return this;
    }

    /** Forwards the calls of {@code service}, with its call kinds and message types. */
    public Builder addService(ServiceDescriptor service) {
      checkNotNull(service, "service");
      addService(service.getFullName());
      described.put(service.getFullName(), service);
      return this;
    }

    /** Forwards the calls of each of {@code fullServiceNames}. */
    public Builder addServices(Iterable<String> fullServiceNames) {
      for (String name : fullServiceNames) {
        addService(name);
      }
      return this;
    }

    /** The proxy, not started: {@code start()} connects to the broker and subscribes. */
    public Server build() {
      checkState(!services.isEmpty(), "no service to forward: call addService(..)");
      for (ServiceDescriptor service : described.values()) {
        mqttServer.addService(DescribedServices.forward(service, upstream));
      }
      Set<String> accepted = ImmutableSet.copyOf(Sets.difference(services, described.keySet()));
      for (String service : accepted) {
        mqttServer.handleServiceName(service);
      }
      // HTTP/2 carries no call kind, so what the outgoing descriptor says does not matter there.
      mqttServer.fallbackHandlerRegistry(
          new ForwardingRegistry(
              upstream,
              name -> accepted.contains(MethodDescriptor.extractFullServiceName(name)),
              name -> MethodType.BIDI_STREAMING));
      return new OwningServer(mqttServer.build(), upstream);
    }
  }
}
