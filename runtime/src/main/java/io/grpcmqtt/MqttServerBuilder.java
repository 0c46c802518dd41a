package io.grpcmqtt;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.BindableService;
import io.grpc.ForwardingServerBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.internal.ServerImplBuilder;
import io.grpcmqtt.internal.ConnectionConfig;
import io.grpcmqtt.internal.DeferringExecutor;
import io.grpcmqtt.internal.MethodRegistry;
import io.grpcmqtt.internal.MqttTransportServer;
import io.grpcmqtt.internal.ServerSettings;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;

/**
 * Builds a {@link Server} that serves its services behind an MQTT 5 broker.
 *
 * <pre>{@code
 * Server server = MqttServerBuilder.forBroker("tcp://127.0.0.1:1883")
 *     .addService(new GreeterImpl())
 *     .build()
 *     .start();
 * }</pre>
 *
 * <p>The server subscribes to {@code $share/grpc-mqtt/grpc/{package.Service}/+} for each service,
 * so several instances split the calls and no request runs twice. Methods that {@code
 * grpcmqtt/options.proto} maps to topic templates are also subscribed there, and their topics fill
 * request fields (docs/mapping.md); {@link #build()} fails with an {@code IllegalArgumentException}
 * naming file, service, method and option when those options are invalid. Interceptors, stream tracers,
 * the fallback handler registry, executors, deadlines and shutdown work as with any gRPC server.
 * {@link Server#start()} connects to the broker and fails with an {@code IOException} naming it
 * when it cannot.
 */
public final class MqttServerBuilder extends ForwardingServerBuilder<MqttServerBuilder> {
  private final ServerImplBuilder delegate;
  private final ConnectionConfig.Builder connection;
  private final List<ServerServiceDefinition> services = new ArrayList<>();
  private final List<String> extraServiceNames = new ArrayList<>();
  private String sharedGroup = "grpc-mqtt";
  private int maxInboundMessageSize = 4 * 1024 * 1024;
  private int maxInboundMetadataSize = 8 * 1024;
  private int maxConcurrentCalls = 10_000;
  private Executor executor;

  private MqttServerBuilder(String brokerUri) {
    this.connection =
        ConnectionConfig.builder(brokerUri, "grpcmqtts")
            .sessionExpiry(Duration.ofSeconds(30))
            .willDelay(Duration.ofSeconds(5));
    this.delegate =
        new ServerImplBuilder(
            (tracerFactories, metricRecorder) -> {
              ConnectionConfig config = connection.build();
              return new MqttTransportServer(
                  new ServerSettings(
                      config, sharedGroup, maxInboundMessageSize, maxInboundMetadataSize,
                      maxConcurrentCalls),
                  MethodRegistry.of(services, extraServiceNames, config.topicPrefix()),
                  tracerFactories);
            });
  }

  /** A server on the broker at {@code brokerUri} ({@code tcp://}, {@code ssl://}, {@code ws://}). */
  public static MqttServerBuilder forBroker(String brokerUri) {
    return new MqttServerBuilder(brokerUri);
  }

  /** Not supported: an MQTT server is made with {@link #forBroker(String)}. */
  public static ServerBuilder<?> forPort(int port) {
    throw new UnsupportedOperationException("use MqttServerBuilder.forBroker(uri)");
  }

  @Override
  protected ServerBuilder<?> delegate() {
    return delegate;
  }

  @Override
  public MqttServerBuilder addService(ServerServiceDefinition service) {
    checkNotNull(service, "service");
    services.add(service);
    delegate.addService(service);
    return this;
  }

  @Override
  public MqttServerBuilder addService(BindableService bindableService) {
    return addService(checkNotNull(bindableService, "bindableService").bindService());
  }

  /**
   * Also subscribes to the request topics of a service that only the {@linkplain
   * #fallbackHandlerRegistry fallback registry} knows ({@code package.Service}).
   */
  public MqttServerBuilder handleServiceName(String fullServiceName) {
    checkArgument(
        fullServiceName != null && !fullServiceName.isEmpty() && fullServiceName.indexOf('/') < 0
            && fullServiceName.indexOf('+') < 0 && fullServiceName.indexOf('#') < 0,
        "invalid service name '%s'", fullServiceName);
    extraServiceNames.add(fullServiceName);
    return this;
  }

  /** The MQTT client id, also this server's id on the wire; default random. Must be unique. */
  public MqttServerBuilder clientId(String clientId) {
    connection.clientId(clientId);
    return this;
  }

  /** Username and password for the broker's CONNECT. */
  public MqttServerBuilder credentials(String username, String password) {
    connection.credentials(
        username, password == null ? null : password.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  /**
   * TLS to the broker with this context; use an {@code ssl://} (or {@code wss://}) broker URI.
   * The broker's certificate chain is checked against the context's trust material and the URI's
   * host against the certificate's subject alternative names (HTTPS rules: an IP address needs an
   * IP entry, a name a DNS entry). A context with a key manager presents a client certificate.
   */
  public MqttServerBuilder sslContext(SSLContext sslContext) {
    connection.sslContext(sslContext);
    return this;
  }

  /** Sockets from this factory (an {@code SSLSocketFactory} for {@code ssl://}); NODELAY is set. */
  public MqttServerBuilder socketFactory(SocketFactory socketFactory) {
    connection.socketFactory(socketFactory);
    return this;
  }

  /** The MQTT keep alive interval (default 30 s). */
  @Override
  public MqttServerBuilder keepAliveTime(long keepAliveTime, TimeUnit timeUnit) {
    connection.keepAlive(Duration.ofNanos(timeUnit.toNanos(keepAliveTime)));
    return this;
  }

  /**
   * How long the broker keeps this server's session after its connection drops (default 30 s;
   * zero for clean sessions). Requests published meanwhile are delivered when it reconnects. A
   * deliberate shutdown ends the session at once. Give servers a stable {@link #clientId} so a
   * restarted process resumes its session.
   */
  public MqttServerBuilder sessionExpiry(Duration expiry) {
    connection.sessionExpiry(expiry);
    return this;
  }

  /**
   * How long the broker waits before publishing this server's will "offline" (default 5 s): a
   * reconnect within it goes unnoticed by clients. Streams held by a server that does not come
   * back fail with UNAVAILABLE after about keep-alive × 1.5 + this delay.
   */
  public MqttServerBuilder willDelay(Duration delay) {
    connection.willDelay(delay);
    return this;
  }

  /** How long {@link Server#start()} waits for the broker. */
  public MqttServerBuilder connectTimeout(Duration timeout) {
    connection.connectTimeout(timeout);
    return this;
  }

  /** First topic level(s) of every topic; default {@code grpc}. Clients must use the same. */
  public MqttServerBuilder topicPrefix(String prefix) {
    connection.topicPrefix(prefix);
    return this;
  }

  /** QoS of subscriptions and replies (0 or 1, default 1). */
  public MqttServerBuilder qos(int qos) {
    connection.qos(qos);
    return this;
  }

  /** The shared-subscription group (default {@code grpc-mqtt}); instances in it split calls. */
  public MqttServerBuilder sharedSubscriptionGroup(String group) {
    checkArgument(
        group != null && !group.isEmpty() && group.indexOf('/') < 0 && group.indexOf('+') < 0
            && group.indexOf('#') < 0,
        "invalid shared subscription group '%s'", group);
    this.sharedGroup = group;
    return this;
  }

  /** Subscribes without {@code $share}: every instance then receives every request. */
  public MqttServerBuilder disableSharedSubscription() {
    this.sharedGroup = null;
    return this;
  }

  /** The largest request message accepted (default 4 MiB); larger get RESOURCE_EXHAUSTED. */
  @Override
  public MqttServerBuilder maxInboundMessageSize(int bytes) {
    checkArgument(bytes > 0, "maxInboundMessageSize must be positive");
    this.maxInboundMessageSize = bytes;
    connection.maxMessageSize(bytes);
    return this;
  }

  /** The largest request metadata accepted (default 8 KiB, counted as HTTP/2 does). */
  @Override
  public MqttServerBuilder maxInboundMetadataSize(int bytes) {
    checkArgument(bytes > 0, "maxInboundMetadataSize must be positive");
    this.maxInboundMetadataSize = bytes;
    return this;
  }

  /**
   * Calls this server runs at once (default 10,000); requests beyond get RESOURCE_EXHAUSTED. It
   * bounds what callers that open streams and never finish them can hold, as HTTP/2's
   * MAX_CONCURRENT_STREAMS does.
   */
  public MqttServerBuilder maxConcurrentCalls(int calls) {
    checkArgument(calls > 0, "maxConcurrentCalls must be positive");
    this.maxConcurrentCalls = calls;
    return this;
  }

  /**
   * How long a message that arrives in chunks may wait for its next chunk (default 30 s); then its
   * call fails with UNAVAILABLE. A message larger than the broker's Maximum Packet Size travels
   * as chunks (docs/protocol.md, "Chunking").
   */
  public MqttServerBuilder chunkReassemblyTimeout(Duration timeout) {
    connection.reassemblyTimeout(timeout);
    return this;
  }

  /**
   * Messages a client-streaming call may send ahead of the handler (default 128). At most this
   * many messages of a call wait in memory; lower it for large messages.
   */
  public MqttServerBuilder flowControlWindow(int messages) {
    connection.flowControlWindow(messages);
    return this;
  }

  /** Not supported: use {@link #sslContext(SSLContext)} with an {@code ssl://} broker URI. */
  @Override
  public MqttServerBuilder useTransportSecurity(File certChain, File privateKey) {
    throw new UnsupportedOperationException(
        "TLS is to the broker: use sslContext(..) and an ssl:// broker URI");
  }

  /**
   * Runs handlers and call callbacks on {@code executor} ({@code null}: a cached pool shared by
   * every channel and server). The callbacks that one MQTT message triggers for a call (finding
   * the method and starting the call) reach it as one task.
   */
  @Override
  public MqttServerBuilder executor(@Nullable Executor executor) {
    // null means the default, as with gRPC's own builders.
    this.executor = executor;
    return this;
  }

  /**
   * Runs handlers on the thread that delivers MQTT messages: fastest for handlers that never
   * block; one that blocks stalls every call of the server.
   */
  @Override
  public MqttServerBuilder directExecutor() {
    return executor(MoreExecutors.directExecutor());
  }

  @Override
  public Server build() {
    Executor calls = DeferringExecutor.forCalls(executor);
    connection.callExecutor(calls);
    delegate.executor(calls);
    // Added last, so it runs first: every user interceptor already sees MqttCallAttributes.
    delegate.intercept(new CallerContextInterceptor(connection.build().topicPrefix()));
    return delegate.build();
  }
}
