package io.grpcmqtt.gateway.client;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.gateway.v1.AckRequest;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The RobustMQ Gateway in three verbs: {@code send} to a topic, {@code receive} (or {@code
 * stream}) from it, {@code ack} what was processed. No protocol to pick, no consumer groups, no
 * offsets. Thread-safe: share one client in a process.
 *
 * <pre>{@code
 * try (GatewayClient client = GatewayClient.connect("tcp://127.0.0.1:1883")) {   // or grpc://host:50051
 *   String id = client.send("sensors/room1", "21.5".getBytes(UTF_8));
 *
 *   for (GatewayMessage m : client.receive("sensors/room1", 10)) {             // waits up to 5 s for the first
 *     process(m);
 *     client.ack("sensors/room1", m.msgId());
 *   }
 *
 *   try (GatewayStream stream = client.stream("sensors/room1")) {              // pushed as they arrive
 *     for (GatewayMessage m : stream) {
 *       process(m);
 *       client.ack("sensors/room1", m.msgId());
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p><b>Transports.</b> {@code tcp://}, {@code ssl://}, {@code ws://} and {@code wss://} reach the
 * Gateway through its MQTT broker (gRPC over MQTT); {@code grpc://host:port} and {@code
 * grpcs://host:port} reach its HTTP/2 listener ({@code --grpc-listen}). Both behave the same.
 *
 * <p><b>Semantics</b> (docs/gateway.md): at-least-once; a received message is leased for the
 * visibility timeout and delivered again if not acknowledged by then; FIFO on first delivery.
 * Every failure is a {@link GatewayException} carrying the gRPC status.
 */
public final class GatewayClient implements AutoCloseable {
  private final String target;
  private final ManagedChannel channel;
  private final GatewayClientOptions options;
  private final Set<GatewayStream> streams = ConcurrentHashMap.newKeySet();

  private GatewayClient(String target, ManagedChannel channel, GatewayClientOptions options) {
    this.target = target;
    this.channel = channel;
    this.options = options;
  }

  /**
   * A client of the Gateway at {@code uri}, with the default options. Connects lazily: the first
   * call does (and fails with {@code UNAVAILABLE} if nothing answers).
   *
   * @param uri {@code tcp://host:port}, {@code ssl://…}, {@code ws://…}, {@code wss://…} (the
   *     Gateway's MQTT broker) or {@code grpc://host:port}, {@code grpcs://host:port} (its HTTP/2
   *     listener)
   * @throws IllegalArgumentException for another scheme or a URI without host (or port, for grpc)
   */
  public static GatewayClient connect(String uri) {
    return connect(uri, GatewayClientOptions.defaults());
  }

  /** A client of the Gateway at {@code uri} with {@code options}; see {@link #connect(String)}. */
  public static GatewayClient connect(String uri, GatewayClientOptions options) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(options, "options");
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid Gateway URI '" + uri + "': " + e.getMessage(), e);
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
    if (parsed.getHost() == null) {
      throw new IllegalArgumentException("invalid Gateway URI '" + uri + "': no host");
    }
    ManagedChannel channel = switch (scheme) {
      case "tcp", "ssl", "ws", "wss" -> mqtt(uri, scheme, options);
      case "grpc", "grpcs" -> http2(uri, parsed, scheme.equals("grpcs"), options);
      default -> throw new IllegalArgumentException("invalid Gateway URI '" + uri
          + "': the scheme must be tcp, ssl, ws, wss (MQTT) or grpc, grpcs (HTTP/2)");
    };
    return new GatewayClient(uri, channel, options);
  }

  private static ManagedChannel mqtt(String uri, String scheme, GatewayClientOptions o) {
    MqttChannelBuilder b = MqttChannelBuilder.forBroker(uri)
        .topicPrefix(o.rpcTopicPrefix())
        // Streams live until closed; every other call gets its own deadline below.
        .defaultDeadline(Duration.ZERO);
    if (o.username() != null) {
      b.credentials(o.username(), o.password());
    }
    if (o.trustedCertificates() != null && (scheme.equals("ssl") || scheme.equals("wss"))) {
      b.sslContext(sslContext(o));
    }
    return b.build();
  }

  private static ManagedChannel http2(String uri, URI parsed, boolean tls, GatewayClientOptions o) {
    if (parsed.getPort() < 0) {
      throw new IllegalArgumentException("invalid Gateway URI '" + uri + "': grpc:// and grpcs:// need a port");
    }
    if (!tls) {
      return NettyChannelBuilder.forAddress(parsed.getHost(), parsed.getPort()).usePlaintext().build();
    }
    ChannelCredentials credentials;
    try {
      credentials = o.trustedCertificates() == null
          ? TlsChannelCredentials.create()
          : TlsChannelCredentials.newBuilder().trustManager(o.trustedCertificates().toFile()).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + o.trustedCertificates(), e);
    }
    return NettyChannelBuilder.forAddress(parsed.getHost(), parsed.getPort(), credentials).build();
  }

  private static SSLContext sslContext(GatewayClientOptions o) {
    try (InputStream in = Files.newInputStream(o.trustedCertificates())) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + o.trustedCertificates(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use the certificates in " + o.trustedCertificates() + ": " + e.getMessage(), e);
    }
  }

  /** The URI this client was made for. */
  public String target() {
    return target;
  }

  public GatewayClientOptions options() {
    return options;
  }

  /**
   * Enqueues {@code payload} on {@code topic}; once this returns the message is stored (it survives
   * a crash of the Gateway).
   *
   * @return the message's id
   * @throws GatewayException e.g. {@code INVALID_ARGUMENT} for a topic with wildcards, {@code
   *     RESOURCE_EXHAUSTED} for a payload over the Gateway's limit (default 1 MiB)
   */
  public String send(String topic, byte[] payload) {
    return send(topic, payload, Map.of());
  }

  /** {@link #send(String, byte[])} with headers (at most 64, 8 KiB together), kept with the message. */
  public String send(String topic, byte[] payload, Map<String, String> headers) {
    return send(topic, payload, headers, "");
  }

  /**
   * {@link #send(String, byte[], Map)}, stored at most once per {@code idempotencyKey} (at most 256
   * UTF-8 bytes; {@code ""} for none): a send with the same key on the same topic within the
   * Gateway's idempotency window (default 1 hour) stores nothing and returns the first one's id.
   * So after a {@link GatewayException} with {@code UNAVAILABLE} or {@code DEADLINE_EXCEEDED} —
   * was it stored? — simply send again with the same key:
   *
   * <pre>{@code
   * String id = client.send("orders", order, Map.of(), "order-" + orderNumber);
   * }</pre>
   */
  public String send(String topic, byte[] payload, Map<String, String> headers, String idempotencyKey) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    try {
      return blocking(options.callTimeout()).send(SendRequest.newBuilder().setTopic(topic)
          .setPayload(ByteString.copyFrom(payload)).putAllHeaders(headers).setIdempotencyKey(idempotencyKey)
          .build()).getMsgId();
    } catch (StatusRuntimeException e) {
      throw failed("send to '" + topic + "'", e);
    }
  }

  /**
   * Up to {@code limit} messages of {@code topic}, oldest first; waits up to the options' receive
   * wait (default 5 s) for the first one, then answers with what is there (an empty list when
   * nothing came). Each is leased for the options' visibility timeout (default 30 s).
   *
   * @param limit 1 to 1000
   */
  public List<GatewayMessage> receive(String topic, int limit) {
    return receive(topic, limit, options.receiveWait());
  }

  /** {@link #receive(String, int)} waiting up to {@code wait} (0 to 20 s) for the first message. */
  public List<GatewayMessage> receive(String topic, int limit, Duration wait) {
    return receive(topic, limit, wait, options.visibilityTimeout());
  }

  /**
   * {@link #receive(String, int)} waiting up to {@code wait} (0 to 20 s) and leasing what it gets
   * for {@code visibilityTimeout} (1 ms to 12 h).
   */
  public List<GatewayMessage> receive(String topic, int limit, Duration wait, Duration visibilityTimeout) {
    Objects.requireNonNull(topic, "topic");
    // The options' own checks: the same ranges as the defaults.
    GatewayClientOptions.builder().receiveWait(wait).visibilityTimeout(visibilityTimeout);
    try {
      return blocking(wait.plus(options.callTimeout())).receive(ReceiveRequest.newBuilder()
              .setTopic(topic)
              .setLimit(limit)
              .setMaxWaitMs((int) wait.toMillis())
              .setVisibilityTimeoutMs((int) visibilityTimeout.toMillis())
              .build())
          .getMessagesList().stream().map(GatewayMessage::of).toList();
    } catch (StatusRuntimeException e) {
      throw failed("receive from '" + topic + "'", e);
    }
  }

  /**
   * Opens a stream of {@code topic}'s messages, pushed as they arrive, at most the options' stream
   * limit (default 10) unacknowledged at a time, each leased for the visibility timeout. It lives
   * until closed (or this client is). A bad topic fails the first {@code hasNext()}.
   */
  public GatewayStream stream(String topic) {
    return stream(topic, options.streamLimit());
  }

  /** {@link #stream(String)} holding at most {@code limit} (1 to 1000) unacknowledged messages. */
  public GatewayStream stream(String topic, int limit) {
    Objects.requireNonNull(topic, "topic");
    GatewayStream stream = new GatewayStream(topic, streams::remove);
    streams.add(stream);
    RobustMQGatewayGrpc.newStub(channel).receiveStream(ReceiveRequest.newBuilder()
        .setTopic(topic)
        .setLimit(limit)
        .setVisibilityTimeoutMs((int) options.visibilityTimeout().toMillis())
        .build(), stream.observer());
    return stream;
  }

  /**
   * Acknowledges a received message: the Gateway deletes it for good.
   *
   * @throws GatewayException {@code NOT_FOUND} when the message is not there to acknowledge
   *     (already acknowledged, another topic's, never delivered)
   */
  public void ack(String topic, String msgId) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(msgId, "msgId");
    try {
      blocking(options.callTimeout()).ack(AckRequest.newBuilder().setTopic(topic).setMsgId(msgId).build());
    } catch (StatusRuntimeException e) {
      throw failed("ack of '" + msgId + "' on '" + topic + "'", e);
    }
  }

  /** Closes every open stream (their unacknowledged messages are requeued), then the connection. */
  @Override
  public void close() {
    for (GatewayStream s : List.copyOf(streams)) {
      s.close();
    }
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      channel.shutdownNow();
    }
  }

  private RobustMQGatewayGrpc.RobustMQGatewayBlockingStub blocking(Duration deadline) {
    return RobustMQGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static GatewayException failed(String what, StatusRuntimeException e) {
    return new GatewayException(what, e.getStatus(), e);
  }
}
