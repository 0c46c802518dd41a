package io.grpcmqtt.gateway;

import io.grpcmqtt.gateway.internal.DeviceSendPath;
import io.grpcmqtt.gateway.internal.Presence;
import io.grpcmqtt.gateway.internal.TopicFilters;
import io.grpcmqtt.gateway.kafka.KafkaConfig;
import io.opentelemetry.api.OpenTelemetry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * Immutable settings of a {@link Gateway}. {@link Builder#build()} checks them together, so a
 * config that exists can start (the broker and the store may still be unreachable).
 *
 * <pre>{@code
 * GatewayConfig config = GatewayConfig.builder("tcp://127.0.0.1:1883")
 *     .deployment("eu1")                // calls under grpc/eu1, shared group robustmq-gateway-eu1
 *     .ingest("devices/#")
 *     .grpcListen(new InetSocketAddress("0.0.0.0", 50051))
 *     .build();
 * try (Gateway gateway = Gateway.start(config, MessageStore.h2(dataDir))) { ... }
 * }</pre>
 */
public final class GatewayConfig {
  /** The RPC topic prefix of the default deployment (grpc-mqtt's default). */
  public static final String DEFAULT_RPC_PREFIX = "grpc";
  /** The shared-subscription group of the default deployment; deployment NAME adds {@code -NAME}. */
  public static final String SHARE_GROUP = "robustmq-gateway";

  private final String brokerUri;
  @Nullable private final String brokerUsername;
  @Nullable private final String brokerPassword;
  private final String deployment;
  private final String rpcTopicPrefix;
  /** The prefix as set, or null when it follows the deployment (kept for {@link #toBuilder}). */
  @Nullable private final String rpcTopicPrefixSet;
  private final Duration idempotencyWindow;
  private final List<String> ingest;
  @Nullable private final String mirrorPrefix;
  private final int maxPayloadBytes;
  private final Duration pollInterval;
  private final int workThreads;
  private final int callThreads;
  @Nullable private final InetSocketAddress grpcListen;
  @Nullable private final Tls grpcTls;
  private final OpenTelemetry openTelemetry;
  @Nullable private final KafkaConfig kafka;

  private GatewayConfig(Builder b) {
    this.brokerUri = b.brokerUri;
    this.brokerUsername = b.brokerUsername;
    this.brokerPassword = b.brokerPassword;
    this.deployment = b.deployment;
    this.rpcTopicPrefix = b.rpcPrefix();
    this.rpcTopicPrefixSet = b.rpcTopicPrefix;
    this.idempotencyWindow = b.idempotencyWindow;
    this.ingest = List.copyOf(b.ingest);
    this.mirrorPrefix = b.mirrorPrefix;
    this.maxPayloadBytes = b.maxPayloadBytes;
    this.pollInterval = b.pollInterval;
    this.workThreads = b.workThreads;
    this.callThreads = b.callThreads;
    this.grpcListen = b.grpcListen;
    this.grpcTls = b.grpcTls;
    this.openTelemetry = b.openTelemetry;
    this.kafka = b.kafka;
  }

  /** Settings for a Gateway serving on the MQTT broker at {@code brokerUri} (tcp, ssl, ws, wss). */
  public static Builder builder(String brokerUri) {
    return new Builder(brokerUri);
  }

  /** A builder holding these settings, to make a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder(brokerUri);
    b.brokerUsername = brokerUsername;
    b.brokerPassword = brokerPassword;
    b.deployment = deployment;
    b.rpcTopicPrefix = rpcTopicPrefixSet;
    b.idempotencyWindow = idempotencyWindow;
    b.ingest.addAll(ingest);
    b.mirrorPrefix = mirrorPrefix;
    b.maxPayloadBytes = maxPayloadBytes;
    b.pollInterval = pollInterval;
    b.workThreads = workThreads;
    b.callThreads = callThreads;
    b.grpcListen = grpcListen;
    b.grpcTls = grpcTls;
    b.openTelemetry = openTelemetry;
    b.kafka = kafka;
    return b;
  }

  public String brokerUri() {
    return brokerUri;
  }

  @Nullable
  public String brokerUsername() {
    return brokerUsername;
  }

  @Nullable
  public String brokerPassword() {
    return brokerPassword;
  }

  /** The deployment's name; empty for the default deployment. */
  public String deployment() {
    return deployment;
  }

  /**
   * The topic prefix of the Gateway's calls: the one set, else {@value #DEFAULT_RPC_PREFIX}, or
   * {@code grpc/NAME} for deployment NAME.
   */
  public String rpcTopicPrefix() {
    return rpcTopicPrefix;
  }

  /**
   * The shared-subscription group of every path of this deployment (calls, device Send topic,
   * ingest): {@value #SHARE_GROUP}, or {@code robustmq-gateway-NAME} for deployment NAME.
   */
  public String shareGroup() {
    return deployment.isEmpty() ? SHARE_GROUP : SHARE_GROUP + "-" + deployment;
  }

  /** How long a Send's {@code idempotency_key} is remembered. */
  public Duration idempotencyWindow() {
    return idempotencyWindow;
  }

  /**
   * Topic prefixes no queue, ingest filter or mirror may use: where calls and Gateway records
   * travel.
   */
  public List<String> reservedPrefixes() {
    return reservedPrefixes(rpcTopicPrefix);
  }

  public List<String> ingest() {
    return ingest;
  }

  /** null: no mirror; "": on each message's own topic; else on {@code prefix/topic}. */
  @Nullable
  public String mirrorPrefix() {
    return mirrorPrefix;
  }

  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  public Duration pollInterval() {
    return pollInterval;
  }

  public int workThreads() {
    return workThreads;
  }

  public int callThreads() {
    return callThreads;
  }

  /** Where plain HTTP/2 gRPC is served, or null for MQTT only. */
  @Nullable
  public InetSocketAddress grpcListen() {
    return grpcListen;
  }

  /** TLS of the HTTP/2 listener, or null for plaintext. */
  @Nullable
  public Tls grpcTls() {
    return grpcTls;
  }

  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** The Kafka connector (Kafka out and ingest), or null without one. */
  @Nullable
  public KafkaConfig kafka() {
    return kafka;
  }

  /** Store work threads when not configured: 4 per core, at least 8. */
  public static int defaultWorkThreads() {
    return Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
  }

  /** Call threads when not configured: 8 per core, at least 16. */
  public static int defaultCallThreads() {
    return Math.max(16, 8 * Runtime.getRuntime().availableProcessors());
  }

  /**
   * TLS of the HTTP/2 listener: the server's certificate chain and private key (PEM), and, for
   * mutual TLS, the CAs a client certificate must chain to (then one is required).
   */
  public record Tls(Path certChain, Path privateKey, @Nullable Path clientCa) {
    public Tls {
      Objects.requireNonNull(certChain, "certChain");
      Objects.requireNonNull(privateKey, "privateKey");
    }
  }

  private static List<String> reservedPrefixes(String rpcTopicPrefix) {
    List<String> reserved = new ArrayList<>(List.of(rpcTopicPrefix));
    // grpc-mqtt's default prefix, where other deployments' and services' calls travel.
    if (!rpcTopicPrefix.equals(DEFAULT_RPC_PREFIX)) {
      reserved.add(DEFAULT_RPC_PREFIX);
    }
    reserved.add(DeviceSendPath.PREFIX);
    reserved.add(Presence.ROOT);
    return List.copyOf(reserved);
  }

  /** Why {@code name} cannot name a deployment, or null. */
  @Nullable
  static String deploymentProblem(String name) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      return "invalid deployment name '" + name + "': 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";
    }
    return null;
  }

  /** Why these settings cannot work (one line), or null. */
  @Nullable
  static String problem(String rpcTopicPrefix, List<String> ingest, @Nullable String mirrorPrefix) {
    if (rpcTopicPrefix.isEmpty() || TopicFilters.problem(rpcTopicPrefix + "/#") != null
        || rpcTopicPrefix.contains("+") || rpcTopicPrefix.contains("#")) {
      return "invalid RPC topic prefix '" + rpcTopicPrefix + "'";
    }
    List<String> reserved = reservedPrefixes(rpcTopicPrefix);
    for (String filter : ingest) {
      String problem = TopicFilters.problem(filter);
      if (problem != null) {
        return "invalid ingest filter: " + problem;
      }
      if (filter.startsWith("/") || filter.endsWith("/") || filter.contains("//")) {
        return "ingest filter '" + filter + "' has an empty level: the topics it matches cannot be queue topics";
      }
      for (String prefix : reserved) {
        if (TopicFilters.overlap(filter, prefix + "/#")) {
          return "ingest filter '" + filter + "' overlaps '" + prefix
              + "/#', where Gateway calls travel; choose a filter outside it";
        }
      }
    }
    if (mirrorPrefix != null && !mirrorPrefix.isEmpty()) {
      if (TopicFilters.problem(mirrorPrefix) != null || mirrorPrefix.contains("+")
          || mirrorPrefix.contains("#") || mirrorPrefix.endsWith("/")) {
        return "invalid mirror prefix '" + mirrorPrefix + "': topic levels without wildcards, no trailing '/'";
      }
      for (String prefix : reserved) {
        if (TopicFilters.overlap(mirrorPrefix + "/#", prefix + "/#")) {
          return "mirror prefix '" + mirrorPrefix + "' overlaps '" + prefix + "/#', where Gateway calls travel";
        }
      }
    }
    return null;
  }

  /** Settings of a {@link GatewayConfig}; each setter checks its own value, {@link #build} the whole. */
  public static final class Builder {
    private String brokerUri;
    private String brokerUsername;
    private String brokerPassword;
    private String deployment = "";
    private String rpcTopicPrefix;
    private Duration idempotencyWindow = Duration.ofMillis(GatewayLimits.DEFAULT_IDEMPOTENCY_WINDOW_MS);
    private final List<String> ingest = new ArrayList<>();
    private String mirrorPrefix = "";
    private int maxPayloadBytes = GatewayLimits.DEFAULT_MAX_PAYLOAD_BYTES;
    private Duration pollInterval = Duration.ofSeconds(1);
    private int workThreads = defaultWorkThreads();
    private int callThreads = defaultCallThreads();
    private InetSocketAddress grpcListen;
    private Tls grpcTls;
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();
    private KafkaConfig kafka;

    private Builder(String brokerUri) {
      this.brokerUri = Objects.requireNonNull(brokerUri, "brokerUri");
    }

    /** The MQTT broker (tcp, ssl, ws, wss). */
    public Builder brokerUri(String uri) {
      this.brokerUri = Objects.requireNonNull(uri, "brokerUri");
      return this;
    }

    /** User name and password (may be null) for the broker. */
    public Builder brokerCredentials(String username, @Nullable String password) {
      this.brokerUsername = Objects.requireNonNull(username, "username");
      this.brokerPassword = password;
      return this;
    }

    /** Also store plain MQTT publishes on this topic filter (e.g. {@code devices/#}). Repeatable. */
    public Builder ingest(String filter) {
      ingest.add(Objects.requireNonNull(filter, "filter"));
      return this;
    }

    /**
     * The grpc-mqtt topic prefix of the service's request topics: by default {@code grpc}, or
     * {@code grpc/NAME} for {@link #deployment deployment} NAME.
     */
    public Builder rpcTopicPrefix(String prefix) {
      this.rpcTopicPrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * Makes this instance part of deployment {@code name}: its calls are under {@code grpc/name}
     * (unless {@link #rpcTopicPrefix} says otherwise) and every path — calls, the device Send
     * topic, ingest — is shared in group {@code robustmq-gateway-name}. Instances of one
     * deployment split the work and must share one store; deployments are independent (each
     * stores every device Send and ingested publish). Default: the unnamed deployment, {@code
     * grpc} and {@code robustmq-gateway}.
     *
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, '.', '_' or '-', starting
     *     with a letter or digit
     */
    public Builder deployment(String name) {
      String problem = deploymentProblem(Objects.requireNonNull(name, "name"));
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      this.deployment = name;
      return this;
    }

    /**
     * How long a Send's {@code idempotency_key} is remembered (default 1 hour): a retry with the
     * same key on the same topic within it gets the first Send's msg_id and stores nothing.
     */
    public Builder idempotencyWindow(Duration window) {
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("idempotencyWindow must be positive, was " + window);
      }
      this.idempotencyWindow = window;
      return this;
    }

    private String rpcPrefix() {
      if (rpcTopicPrefix != null) {
        return rpcTopicPrefix;
      }
      return deployment.isEmpty() ? DEFAULT_RPC_PREFIX : DEFAULT_RPC_PREFIX + "/" + deployment;
    }

    /**
     * Mirror stored messages on {@code prefix/topic} instead of on their own topic; {@code ""}
     * (the default) mirrors on the topic itself, {@code null} turns mirroring off.
     */
    public Builder mirrorPrefix(@Nullable String prefix) {
      this.mirrorPrefix = prefix;
      return this;
    }

    /** Largest payload a Send may carry (default 1 MiB, at most 3 MiB). */
    public Builder maxPayloadBytes(int bytes) {
      if (bytes < 1 || bytes > GatewayLimits.MAX_RESPONSE_BYTES) {
        throw new IllegalArgumentException("maxPayloadBytes must be in 1.." + GatewayLimits.MAX_RESPONSE_BYTES);
      }
      this.maxPayloadBytes = bytes;
      return this;
    }

    /** How often waiting consumers look again unprompted, to notice expired leases (default 1 s). */
    public Builder pollInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive");
      }
      this.pollInterval = interval;
      return this;
    }

    /**
     * Threads that claim messages for waiting Receives and streams and store plain MQTT publishes
     * (default {@link #defaultWorkThreads()}): they bound concurrent store work, however many
     * consumers wait (a waiting consumer holds none).
     */
    public Builder workThreads(int threads) {
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("workThreads must be in 1..1024, was " + threads);
      }
      this.workThreads = threads;
      return this;
    }

    /**
     * Threads that run calls (default {@link #defaultCallThreads()}): a Send or Ack holds one while
     * its store commit runs, so these bound concurrent commits.
     */
    public Builder callThreads(int threads) {
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("callThreads must be in 1..1024, was " + threads);
      }
      this.callThreads = threads;
      return this;
    }

    /** Also serve plain HTTP/2 gRPC on this address (port 0 picks a free one); default: MQTT only. */
    public Builder grpcListen(@Nullable InetSocketAddress address) {
      this.grpcListen = address;
      return this;
    }

    /** TLS for the HTTP/2 listener (default plaintext). */
    public Builder grpcTls(@Nullable Tls tls) {
      this.grpcTls = tls;
      return this;
    }

    /**
     * Where the Gateway reports metrics: gRPC's own (calls, latency) on the HTTP/2 listener, and
     * the queues' (docs/gateway.md, Metrics). Default: nowhere.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /** Connect to Kafka: stored messages are produced to it, and its records taken in (docs/gateway.md, Kafka). */
    public Builder kafka(@Nullable KafkaConfig kafka) {
      this.kafka = kafka;
      return this;
    }

    /**
     * The settings.
     *
     * @throws IllegalArgumentException naming the unusable setting (e.g. an ingest filter over the
     *     RPC topics, TLS without a listener)
     */
    public GatewayConfig build() {
      String problem = problem(rpcPrefix(), ingest, mirrorPrefix);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      if (grpcTls != null && grpcListen == null) {
        throw new IllegalArgumentException("TLS settings need an HTTP/2 listener (grpcListen)");
      }
      return new GatewayConfig(this);
    }
  }
}
