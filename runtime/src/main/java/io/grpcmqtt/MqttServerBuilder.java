package io.grpcmqtt;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

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
import io.grpcmqtt.internal.StartedServer;
import io.grpcmqtt.mqtt.MqttClientLibrary;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

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
 * naming file, service, method and option when those options are invalid. Unary methods are also
 * served to devices limited to MQTT 3.1.1, with the reply address, request id and format in
 * topic levels ({@code grpc/_311/req/...}, docs/protocol.md §14). Interceptors, stream tracers,
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
  private int maxConcurrentCallsPerClient = 1_000;
  private Duration defaultDeadline = Duration.ofMinutes(5);
  private Duration clientProbeInterval = Duration.ofSeconds(10);
  private Executor executor;
  /** The transport server of the last {@link #build()}. */
  private MqttTransportServer transportServer;

  private MqttServerBuilder(String brokerUri) {
    // Clean sessions: when a server dies, the broker drops its shared subscriptions the moment it
    // sees the connection close, so no request is routed to an instance that cannot answer. A
    // short keep-alive makes a silent one (a pulled cable, a frozen process) count as dead soon.
    this.connection =
        ConnectionConfig.builder(brokerUri, "grpcmqtts").keepAlive(Duration.ofSeconds(5));
    this.delegate =
        new ServerImplBuilder(
            (tracerFactories, metricRecorder) -> {
              ConnectionConfig config = connection.build();
              transportServer = new MqttTransportServer(
                  new ServerSettings(
                      config, sharedGroup, maxInboundMessageSize, maxInboundMetadataSize,
                      maxConcurrentCalls, maxConcurrentCallsPerClient, defaultDeadline.toNanos(),
                      clientProbeInterval.toNanos()),
                  MethodRegistry.of(services, extraServiceNames, config.topicPrefix()),
                  tracerFactories);
              return transportServer;
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

  /**
   * The MQTT client id, also this server's id on the wire; default random. Must be unique: a
   * second connection with the same id takes over the first. A stable id lets a monitor follow an
   * instance across restarts (its retained status topic is reused), and is needed for {@link
   * #sessionExpiry}.
   */
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
   * TLS to the broker with this context (Paho only; see {@link #tls}); use an {@code ssl://} (or {@code wss://}) broker URI.
   * The broker's certificate chain is checked against the context's trust material and the URI's
   * host against the certificate's subject alternative names (HTTPS rules: an IP address needs an
   * IP entry, a name a DNS entry). A context with a key manager presents a client certificate.
   */
  public MqttServerBuilder sslContext(SSLContext sslContext) {
    connection.sslContext(sslContext);
    return this;
  }

  /**
   * Sockets from this factory (an {@code SSLSocketFactory} for {@code ssl://}); NODELAY is set.
   * Paho only.
   */
  public MqttServerBuilder socketFactory(SocketFactory socketFactory) {
    connection.socketFactory(socketFactory);
    return this;
  }

  /**
   * TLS to the broker trusting {@code trust} (null: the JDK's trust store) and presenting the
   * client certificate of {@code keys} (null: none); use an {@code ssl://} (or {@code wss://})
   * broker URI. Checked as with {@link #sslContext}. Unlike {@code sslContext} and {@code
   * socketFactory}, which only Paho can use, this works with every {@link MqttClientLibrary}.
   */
  public MqttServerBuilder tls(@Nullable TrustManagerFactory trust, @Nullable KeyManagerFactory keys) {
    connection.tls(trust, keys);
    return this;
  }

  /**
   * The MQTT client library under this server's connection: {@link MqttClientLibrary#PAHO}
   * (the default, unless the system property {@value MqttClientLibrary#PROPERTY} says {@code
   * hivemq}) or {@link MqttClientLibrary#HIVEMQ}. Calls, the wire and every setting behave the
   * same with either; see docs/mqtt-connection.md for how they differ in speed.
   */
  public MqttServerBuilder mqttClient(MqttClientLibrary library) {
    connection.mqttClient(java.util.Objects.requireNonNull(library, "library"));
    return this;
  }

  /**
   * The MQTT keep alive interval (default 5 s). The broker drops a server it has not heard from
   * for 1.5 × this (a pulled cable, a frozen process) and routes its share of requests to the
   * others from then on; an idle server sends a 2-byte PINGREQ this often.
   */
  @Override
  public MqttServerBuilder keepAliveTime(long keepAliveTime, TimeUnit timeUnit) {
    connection.keepAlive(Duration.ofNanos(timeUnit.toNanos(keepAliveTime)));
    return this;
  }

  /**
   * How long the broker keeps this server's session after its connection drops (default 0: clean
   * sessions, nothing is kept). With an expiry, requests that arrive while the server is away wait
   * for it in its session instead of going to another instance: on brokers that go on routing a
   * shared subscription's share to an absent member (Mosquitto), a crashed instance swallows its
   * share of new requests until it comes back or the session expires, and their callers wait for
   * their deadline. Needs a stable {@link #clientId}, so that a restarted process resumes the
   * session; {@link #build()} fails without one. A deliberate shutdown ends the session at once.
   */
  public MqttServerBuilder sessionExpiry(Duration expiry) {
    connection.sessionExpiry(expiry);
    return this;
  }

  /**
   * How long the broker waits before publishing this server's will "offline" (default 0). MQTT 5
   * publishes the will when the session ends if that is sooner, so this matters only with a
   * {@link #sessionExpiry}: a server that reconnects within the delay goes unnoticed by its
   * clients. Streams held by a server that does not come back fail with UNAVAILABLE after this
   * delay (plus keep-alive × 1.5 if the server fell silent rather than closed its connection).
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
   * Calls one caller runs at once on this server (default 1,000), a caller being a Response
   * Topic (a channel's reply topic, a device's own topic) or the reply reference of an MQTT 3.1.1
   * device; its requests beyond get
   * RESOURCE_EXHAUSTED, so one caller cannot take every slot of {@link #maxConcurrentCalls} and
   * lock the others out. Raise it for a caller that multiplexes many, such as an ingress proxy.
   */
  public MqttServerBuilder maxConcurrentCallsPerClient(int calls) {
    checkArgument(calls > 0, "maxConcurrentCallsPerClient must be positive");
    this.maxConcurrentCallsPerClient = calls;
    return this;
  }

  /**
   * The deadline of requests that carry none, neither {@code grpc-timeout} nor a Message Expiry
   * (default 5 minutes; zero: none). Java channels always send one; devices and plain MQTT
   * clients often do not, and a call of a caller that vanished without a will would otherwise
   * hold its slot forever. A call that runs into it ends with DEADLINE_EXCEEDED saying so.
   */
  public MqttServerBuilder defaultDeadline(Duration deadline) {
    checkArgument(!deadline.isNegative(), "defaultDeadline must not be negative");
    this.defaultDeadline = deadline;
    return this;
  }

  /**
   * How often the server checks that callers holding streams are still there (default 10 s; zero:
   * never): it publishes a small probe to each Response Topic that has held a streaming call for
   * this long, and ends that topic's calls when the broker answers that nobody is subscribed
   * (PUBACK 0x10). Callers with a will are noticed at once; this finds those without one (a
   * device that lost power) within about twice the interval. Needs QoS 1 from the broker's side.
   */
  public MqttServerBuilder clientProbeInterval(Duration interval) {
    checkArgument(!interval.isNegative(), "clientProbeInterval must not be negative");
    this.clientProbeInterval = interval;
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
   * Messages a client-streaming call may send ahead of the handler (default 512). At most this
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
   * Runs handlers and call callbacks on {@code executor} ({@code null}: a pool shared by every
   * channel and server, with about as many busy threads as cores and more while handlers block;
   * its threads end once the last channel and server has shut down). The
   * callbacks that one MQTT message triggers for a call (finding the method and starting the
   * call) reach it as one task.
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

  /**
   * Builds the server.
   *
   * @throws IllegalStateException when a {@link #sessionExpiry} is set without a {@link #clientId}
   */
  @Override
  public Server build() {
    checkState(
        connection.build().sessionExpiry().isZero() || connection.hasClientId(),
        "sessionExpiry(..) needs a stable clientId(..): a restarted process with a new random id"
            + " would never resume the session, and brokers may go on routing requests into it");
    Executor calls = DeferringExecutor.forCalls(executor);
    connection.callExecutor(calls);
    delegate.executor(calls);
    // Added last, so it runs first: every user interceptor already sees MqttCallAttributes.
    delegate.intercept(new CallerContextInterceptor(connection.build().topicPrefix()));
    Server server = delegate.build();
    return new StartedServer(server, transportServer);
  }
}
