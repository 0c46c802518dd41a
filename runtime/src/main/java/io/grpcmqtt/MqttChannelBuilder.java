package io.grpcmqtt;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ForwardingChannelBuilder2;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.internal.ManagedChannelImplBuilder;
import io.grpcmqtt.internal.BrokerAddress;
import io.grpcmqtt.internal.ConnectionConfig;
import io.grpcmqtt.internal.DefaultDeadlineInterceptor;
import io.grpcmqtt.internal.DeferringExecutor;
import io.grpcmqtt.internal.MqttClientTransportFactory;
import io.grpcmqtt.mqtt.MqttClientLibrary;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds a {@link ManagedChannel} whose calls travel as MQTT 5 messages through a broker.
 *
 * <pre>{@code
 * ManagedChannel channel = MqttChannelBuilder.forBroker("tcp://127.0.0.1:1883").build();
 * GreeterGrpc.GreeterBlockingStub stub = GreeterGrpc.newBlockingStub(channel);
 * }</pre>
 *
 * <p>Everything gRPC's own builders offer (interceptors, executors, retry, idle timeout, max
 * inbound message size) works as usual. A call that sets no deadline gets {@link
 * #defaultDeadline(Duration) a default one} (30 s), because a request whose server vanished would
 * otherwise wait forever. The channel connects lazily, on its first call, like every gRPC channel.
 *
 * <p>Retries are off by default (gRPC's are on): a call that reached the broker is never retried
 * transparently, and keeping gRPC's retry machinery in the path costs every call an executor
 * hand-off. A service config with a {@code retryPolicy} needs {@link #enableRetry()}.
 */
public final class MqttChannelBuilder extends ForwardingChannelBuilder2<MqttChannelBuilder> {
  private final ManagedChannelImplBuilder delegate;
  private final ConnectionConfig.Builder connection;
  private Executor executor;
  private final DefaultDeadlineInterceptor defaultDeadline =
      new DefaultDeadlineInterceptor(TimeUnit.SECONDS.toNanos(30));

  private MqttChannelBuilder(String brokerUri) {
    this.connection = ConnectionConfig.builder(brokerUri, "grpcmqttc");
    this.delegate =
        new ManagedChannelImplBuilder(
            new BrokerAddress(brokerUri),
            authorityOf(brokerUri),
            () -> new MqttClientTransportFactory(connection.build()),
            null);
    // First in the list means innermost: it sees the deadline set by every user interceptor.
    delegate.intercept(defaultDeadline);
    // The transport never refuses a stream, so gRPC's transparent retry cannot apply; without a
    // retry policy retries only cost a hand-off per call. enableRetry() turns them back on.
    delegate.disableRetry();
  }

  private static String authorityOf(String uri) {
    java.net.URI parsed = java.net.URI.create(uri);
    return parsed.getPort() > 0 ? parsed.getHost() + ":" + parsed.getPort() : parsed.getHost();
  }

  /**
   * A channel to the broker at {@code brokerUri}: {@code tcp://host:port}, {@code
   * ssl://host:port}, {@code ws://…} or {@code wss://…}.
   */
  public static MqttChannelBuilder forBroker(String brokerUri) {
    return new MqttChannelBuilder(brokerUri);
  }

  /** Not supported: an MQTT channel is made with {@link #forBroker(String)}. */
  public static ManagedChannelBuilder<?> forTarget(String target) {
    throw new UnsupportedOperationException("use MqttChannelBuilder.forBroker(uri)");
  }

  /** Not supported: an MQTT channel is made with {@link #forBroker(String)}. */
  public static ManagedChannelBuilder<?> forAddress(String name, int port) {
    throw new UnsupportedOperationException("use MqttChannelBuilder.forBroker(uri)");
  }

  @Override
  @Deprecated
  protected ManagedChannelBuilder<?> delegate() {
    return delegate;
  }

  /**
   * The MQTT client id, also the last level of this channel's reply topic; default {@code
   * grpcmqttc} and 14 random letters and digits. Must be unique on the broker.
   */
  public MqttChannelBuilder clientId(String clientId) {
    connection.clientId(clientId);
    return this;
  }

  /** Username and password for the broker's CONNECT. */
  public MqttChannelBuilder credentials(String username, String password) {
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
  public MqttChannelBuilder sslContext(SSLContext sslContext) {
    connection.sslContext(sslContext);
    return this;
  }

  /**
   * Sockets from this factory (an {@code SSLSocketFactory} for {@code ssl://}); NODELAY is set.
   * Paho only.
   */
  public MqttChannelBuilder socketFactory(SocketFactory socketFactory) {
    connection.socketFactory(socketFactory);
    return this;
  }

  /**
   * TLS to the broker trusting {@code trust} (null: the JDK's trust store) and presenting the
   * client certificate of {@code keys} (null: none); use an {@code ssl://} (or {@code wss://})
   * broker URI. Checked as with {@link #sslContext}. Unlike {@code sslContext} and {@code
   * socketFactory}, which only Paho can use, this works with every {@link MqttClientLibrary}.
   */
  public MqttChannelBuilder tls(@Nullable TrustManagerFactory trust, @Nullable KeyManagerFactory keys) {
    connection.tls(trust, keys);
    return this;
  }

  /**
   * The MQTT client library under this channel's connection: {@link MqttClientLibrary#PAHO}
   * (the default, unless the system property {@value MqttClientLibrary#PROPERTY} says {@code
   * hivemq}) or {@link MqttClientLibrary#HIVEMQ}. Calls, the wire and every setting behave the
   * same with either; see docs/mqtt-connection.md for how they differ in speed.
   */
  public MqttChannelBuilder mqttClient(MqttClientLibrary library) {
    connection.mqttClient(java.util.Objects.requireNonNull(library, "library"));
    return this;
  }

  /** The MQTT keep alive interval (default 30 s); the broker sends the will after 1.5 × this. */
  @Override
  public MqttChannelBuilder keepAliveTime(long keepAliveTime, TimeUnit timeUnit) {
    connection.keepAlive(Duration.ofNanos(timeUnit.toNanos(keepAliveTime)));
    return this;
  }

  /**
   * How long the broker keeps this channel's session after a disconnect (default 0: clean
   * sessions). A channel's calls never outlive its connection: they end with UNAVAILABLE when it
   * drops, and the next call connects again.
   */
  public MqttChannelBuilder sessionExpiry(Duration expiry) {
    connection.sessionExpiry(expiry);
    return this;
  }

  /**
   * How long the broker waits before publishing this channel's will (default 0), after which
   * servers cancel the channel's calls.
   */
  public MqttChannelBuilder willDelay(Duration delay) {
    connection.willDelay(delay);
    return this;
  }

  /** How long connecting to the broker may take before calls fail with UNAVAILABLE. */
  public MqttChannelBuilder connectTimeout(Duration timeout) {
    connection.connectTimeout(timeout);
    return this;
  }

  /** First topic level(s) of every topic this channel uses; default {@code grpc}. */
  public MqttChannelBuilder topicPrefix(String prefix) {
    connection.topicPrefix(prefix);
    return this;
  }

  /** QoS of every PUBLISH (0 or 1, default 1). QoS 0 cannot detect a missing server. */
  public MqttChannelBuilder qos(int qos) {
    connection.qos(qos);
    return this;
  }

  /** The largest message received or sent (default 4 MiB); larger fails RESOURCE_EXHAUSTED. */
  @Override
  public MqttChannelBuilder maxInboundMessageSize(int bytes) {
    checkArgument(bytes > 0, "maxInboundMessageSize must be positive");
    connection.maxMessageSize(bytes);
    return this;
  }

  /**
   * How long a message that arrives in chunks may wait for its next chunk (default 30 s); then its
   * call fails with UNAVAILABLE. A message larger than the broker's Maximum Packet Size travels
   * as chunks (docs/protocol.md, "Chunking").
   */
  public MqttChannelBuilder chunkReassemblyTimeout(Duration timeout) {
    connection.reassemblyTimeout(timeout);
    return this;
  }

  /**
   * Messages a streaming call may receive ahead of the application (default 512). At most this
   * many messages of a call wait in memory; lower it for large messages.
   */
  public MqttChannelBuilder flowControlWindow(int messages) {
    connection.flowControlWindow(messages);
    return this;
  }

  /**
   * Publishes the requests of methods with a topic template ({@code (grpcmqtt.method).topic}) to
   * the template's topic, built from the request's fields (default off: to the method's default
   * topic under {@link #topicPrefix}, which grpc-mqtt servers always serve too). Template topics
   * are for callers that want the readable topic (devices, ACLs by topic); they are not under the
   * prefix, so two deployments sharing a broker also share them.
   */
  public MqttChannelBuilder templateTopics(boolean on) {
    connection.templateTopics(on);
    return this;
  }

  /** The deadline of calls that set none (default 30 s); zero disables it. */
  public MqttChannelBuilder defaultDeadline(Duration deadline) {
    checkArgument(!deadline.isNegative(), "defaultDeadline must not be negative");
    defaultDeadline.setDefault(deadline.toNanos());
    return this;
  }

  /** Plaintext or TLS follows the broker URI's scheme; this is accepted for compatibility. */
  @Override
  public MqttChannelBuilder usePlaintext() {
    return this;
  }

  /** Plaintext or TLS follows the broker URI's scheme; this is accepted for compatibility. */
  @Override
  public MqttChannelBuilder useTransportSecurity() {
    return this;
  }

  /**
   * Runs calls' callbacks on {@code executor} ({@code null}: a pool shared by every channel and
   * server, with about as many busy threads as cores and more while callbacks block; its threads
   * end once the last channel and server has shut down). Callbacks that one MQTT message triggers
   * for a call (a reply's headers, message and status) reach it as one task.
   */
  @Override
  public MqttChannelBuilder executor(@Nullable Executor executor) {
    // null means the default, as with gRPC's own builders.
    this.executor = executor;
    return this;
  }

  /**
   * Runs calls' callbacks on the thread that delivers MQTT messages: fastest, but a callback that
   * blocks stalls every call of the channel.
   */
  @Override
  public MqttChannelBuilder directExecutor() {
    return executor(MoreExecutors.directExecutor());
  }

  @Override
  public ManagedChannel build() {
    Executor calls = DeferringExecutor.forCalls(executor);
    connection.callExecutor(calls);
    delegate.executor(calls);
    return delegate.build();
  }
}
