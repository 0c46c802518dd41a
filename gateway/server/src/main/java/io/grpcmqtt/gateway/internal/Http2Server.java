package io.grpcmqtt.gateway.internal;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.opentelemetry.GrpcOpenTelemetry;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpcmqtt.gateway.GatewayConfig;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The Gateway's plain HTTP/2 gRPC listener: the same service definitions (interceptors included)
 * as over MQTT, plus {@code
 * grpc.health.v1.Health} and server reflection (so {@code grpcurl -plaintext HOST:PORT list}
 * works), with gRPC's OpenTelemetry metrics.
 */
public final class Http2Server {
  /**
   * Keepalive pings find a client that vanished without closing its connection (a crashed host, a
   * dropped NAT entry): its streams then end and what they held is requeued, as the MQTT side does
   * on a client's last will.
   */
  private static final long KEEPALIVE_SECONDS = 30;
  private static final long KEEPALIVE_TIMEOUT_SECONDS = 10;

  private final Server server;
  private final HealthStatusManager health;

  private Http2Server(Server server, HealthStatusManager health) {
    this.server = server;
    this.health = health;
  }

  /**
   * Starts listening.
   *
   * @throws IOException when the address cannot be bound or the TLS files cannot be read, naming
   *     them
   */
  @SuppressWarnings("deprecation") // v1alpha reflection: older tools (grpcurl < 1.8.8, Postman) ask for it
  public static Http2Server start(GatewayConfig config, Executor executor, List<ServerServiceDefinition> services)
      throws IOException {
    InetSocketAddress address = config.grpcListen();
    HealthStatusManager health = new HealthStatusManager();
    NettyServerBuilder builder = NettyServerBuilder.forAddress(address, credentials(config.grpcTls()))
        .executor(executor)
        .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        // Clients may ping as often as every 10 s (grpc-js and grpc-go default to none or more).
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(io.grpc.protobuf.services.ProtoReflectionService.newInstance());
    for (ServerServiceDefinition s : services) {
      builder.addService(s);
    }
    GrpcOpenTelemetry.newBuilder().sdk(config.openTelemetry()).build().configureServerBuilder(builder);
    Server server;
    try {
      server = builder.build().start();
    } catch (IOException e) {
      throw new IOException("cannot serve HTTP/2 gRPC on " + describe(address) + ": " + e.getMessage(), e);
    }
    health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    health.setStatus(RobustMQGatewayGrpc.SERVICE_NAME, io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    return new Http2Server(server, health);
  }

  private static ServerCredentials credentials(GatewayConfig.Tls tls) throws IOException {
    if (tls == null) {
      return InsecureServerCredentials.create();
    }
    try {
      TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder()
          .keyManager(tls.certChain().toFile(), tls.privateKey().toFile());
      if (tls.clientCa() != null) {
        b.trustManager(tls.clientCa().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot use the TLS files (" + tls.certChain() + ", " + tls.privateKey()
          + (tls.clientCa() != null ? ", " + tls.clientCa() : "") + "): " + e.getMessage(), e);
    }
  }

  private static String describe(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  /** The bound port (the real one when 0 was asked for). */
  public int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** Health says NOT_SERVING and no new calls are taken; calls in progress go on. */
  public void shutdown() {
    health.enterTerminalState();
    server.shutdown();
  }

  /** Waits for calls to end, then cuts the rest. */
  public void awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    if (!server.awaitTermination(timeout, unit)) {
      server.shutdownNow();
      server.awaitTermination(timeout, unit);
    }
  }

  public void shutdownNow() {
    server.shutdownNow();
  }
}
