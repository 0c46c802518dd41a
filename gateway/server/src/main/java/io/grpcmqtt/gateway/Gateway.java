package io.grpcmqtt.gateway;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.gateway.internal.DeviceSendPath;
import io.grpcmqtt.gateway.internal.GatewayExecutors;
import io.grpcmqtt.gateway.internal.GatewayService;
import io.grpcmqtt.gateway.internal.IdempotencyKeyHeader;
import io.grpcmqtt.gateway.internal.MessageRules;
import io.grpcmqtt.gateway.internal.MqttBridge;
import io.grpcmqtt.gateway.internal.Presence;
import io.grpcmqtt.gateway.internal.Queues;
import io.grpcmqtt.gateway.internal.RequestRules;
import io.grpcmqtt.gateway.internal.StreamRegistry;
import io.grpcmqtt.gateway.internal.TopicFilters;
import io.grpcmqtt.gateway.internal.TopicSignals;
import io.grpcmqtt.gateway.store.MessageStore;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running RobustMQ Gateway: the {@code robustmq.gateway.v1.RobustMQGateway} service hosted
 * behind an MQTT broker with grpc-mqtt, its message store, and its plain-MQTT side (mirror,
 * ingest filters, the device Send topic).
 *
 * <pre>{@code
 * try (Gateway gateway = Gateway.builder("tcp://127.0.0.1:1883", MessageStore.h2(dataDir))
 *         .ingest("devices/#")
 *         .start()) {
 *   ...
 * }
 * }</pre>
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  /** The gRPC service name, the second level of its request topics. */
  public static final String SERVICE = RobustMQGatewayGrpc.SERVICE_NAME;
  /** The RPC topic prefix of the default deployment (grpc-mqtt's default). */
  public static final String DEFAULT_RPC_PREFIX = "grpc";
  /** The shared-subscription group of the default deployment; deployment NAME adds {@code -NAME}. */
  public static final String SHARE_GROUP = "robustmq-gateway";

  private final Builder config;
  private final MessageStore store;
  private final Presence presence;
  private final GatewayExecutors executors;
  private final ExecutorService grpcExecutor;
  private final StreamRegistry streams;
  private final MqttBridge bridge;
  private final Server server;
  private boolean closed;

  private Gateway(Builder b, GatewayExecutors executors, ExecutorService grpcExecutor,
      StreamRegistry streams, MqttBridge bridge, Presence presence, Server server) {
    this.config = b;
    this.store = b.store;
    this.presence = presence;
    this.executors = executors;
    this.grpcExecutor = grpcExecutor;
    this.streams = streams;
    this.bridge = bridge;
    this.server = server;
  }

  /** A Gateway on the broker at {@code brokerUri}, keeping messages in {@code store} (which it closes). */
  public static Builder builder(String brokerUri, MessageStore store) {
    return new Builder(brokerUri, store);
  }

  public String brokerUri() {
    return config.brokerUri;
  }

  /** Where clients send calls: {@code grpc/robustmq.gateway.v1.RobustMQGateway/{method}}. */
  public String requestTopic(String method) {
    return config.rpcPrefix() + "/" + SERVICE + "/" + method;
  }

  /** The deployment's name; empty for the default deployment. */
  public String deployment() {
    return config.deployment;
  }

  /**
   * The shared-subscription group of every path of this deployment (calls, device Send topic,
   * ingest): {@code robustmq-gateway}, or {@code robustmq-gateway-NAME} for deployment NAME.
   */
  public String shareGroup() {
    return config.shareGroup();
  }

  /** The store's one-line description. */
  public String storeDescription() {
    return store.describe();
  }

  /** The ingest filters, as given. */
  public List<String> ingestFilters() {
    return List.copyOf(config.ingest);
  }

  /** The mirror's topic for a queue topic, or null when mirroring is off. */
  public String mirrorTopic(String queueTopic) {
    return bridge.topicFor(queueTopic);
  }

  /** ReceiveStream calls open on this instance. */
  public int openStreams() {
    return streams.openStreams();
  }

  /**
   * Stops: no new calls are taken, open streams and waiting Receives end with UNAVAILABLE and
   * what the streams held is requeued, then the broker connections and the store are closed.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long t0 = System.nanoTime();
    server.shutdown();
    presence.stop();
    streams.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    bridge.close();
    grpcExecutor.shutdown();
    executors.close();
    store.close();
    log.info("RobustMQ Gateway stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  /** Topic prefixes no queue, ingest filter or mirror may use: where calls and Gateway records travel. */
  static List<String> reservedPrefixes(String rpcTopicPrefix) {
    List<String> reserved = new ArrayList<>(List.of(rpcTopicPrefix));
    // grpc-mqtt's default prefix, where other deployments' and services' calls travel.
    if (!rpcTopicPrefix.equals(DEFAULT_RPC_PREFIX)) {
      reserved.add(DEFAULT_RPC_PREFIX);
    }
    reserved.add(DeviceSendPath.PREFIX);
    reserved.add(Presence.ROOT);
    return reserved;
  }

  /** Why {@code name} cannot name a deployment, or null. */
  static String deploymentProblem(String name) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      return "invalid deployment name '" + name + "': 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";
    }
    return null;
  }

  /** Why these settings cannot work (one line), or null. */
  static String settingsProblem(String rpcTopicPrefix, List<String> ingest, String mirrorPrefix) {
    List<String> reserved = reservedPrefixes(rpcTopicPrefix);
    if (rpcTopicPrefix.isEmpty() || TopicFilters.problem(rpcTopicPrefix + "/#") != null
        || rpcTopicPrefix.contains("+") || rpcTopicPrefix.contains("#")) {
      return "invalid RPC topic prefix '" + rpcTopicPrefix + "'";
    }
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

  /** Settings of a {@link Gateway}; {@link #start()} validates them. */
  public static final class Builder {
    private final String brokerUri;
    private final MessageStore store;
    private final List<String> ingest = new ArrayList<>();
    private String deployment = "";
    private String rpcTopicPrefix;
    private String mirrorPrefix = "";
    private long idempotencyWindowMillis = GatewayLimits.DEFAULT_IDEMPOTENCY_WINDOW_MS;
    private int maxPayloadBytes = GatewayLimits.DEFAULT_MAX_PAYLOAD_BYTES;
    private Duration pollInterval = Duration.ofSeconds(1);

    private Builder(String brokerUri, MessageStore store) {
      this.brokerUri = Objects.requireNonNull(brokerUri, "brokerUri");
      this.store = Objects.requireNonNull(store, "store");
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
        throw new IllegalArgumentException("idempotencyWindow must be positive");
      }
      this.idempotencyWindowMillis = window.toMillis();
      return this;
    }

    String rpcPrefix() {
      if (rpcTopicPrefix != null) {
        return rpcTopicPrefix;
      }
      return deployment.isEmpty() ? DEFAULT_RPC_PREFIX : DEFAULT_RPC_PREFIX + "/" + deployment;
    }

    String shareGroup() {
      return deployment.isEmpty() ? SHARE_GROUP : SHARE_GROUP + "-" + deployment;
    }

    /**
     * Mirror stored messages on {@code prefix/topic} instead of on their own topic; {@code ""}
     * (the default) mirrors on the topic itself, {@code null} turns mirroring off.
     */
    public Builder mirrorPrefix(String prefix) {
      this.mirrorPrefix = prefix;
      return this;
    }

    /** Largest payload a Send may carry (default 1 MiB). */
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
     * Connects and starts serving. On failure nothing is left running and the store is closed.
     *
     * @throws IllegalArgumentException for an unusable setting (e.g. an ingest filter)
     * @throws IOException when the broker cannot be reached
     */
    public Gateway start() throws IOException {
      String prefix = rpcPrefix();
      String group = shareGroup();
      try {
        checkSettings();
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
      GatewayExecutors executors = new GatewayExecutors(8, pollInterval.toMillis());
      AtomicInteger n = new AtomicInteger();
      ExecutorService grpcExecutor = Executors.newFixedThreadPool(16, r -> {
        Thread t = new Thread(r, "gateway-grpc-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      StreamRegistry streams = new StreamRegistry();
      RequestRules rules = new RequestRules(new MessageRules(maxPayloadBytes, reservedPrefixes(prefix)));
      Queues queues = new Queues(store, rules, new TopicSignals(), streams, idempotencyWindowMillis);
      MqttBridge bridge = null;
      try {
        bridge = new MqttBridge(brokerUri, group, mirrorPrefix, executors);
        Presence presence = new Presence(bridge, new Presence.Identity(store.id(), group, prefix), deployment, executors);
        for (String filter : ingest) {
          bridge.subscribe(filter, (topic, payload, headers) -> queues.send(topic, payload, headers, topic, null));
        }
        bridge.connect();
        try {
          presence.start();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while starting", e);
        }
        queues.mirrorTo(bridge);
        MqttServerBuilder sb = MqttServerBuilder.forBroker(brokerUri)
            .topicPrefix(prefix)
            .sharedSubscriptionGroup(group)
            .executor(grpcExecutor)
            .addService(ServerInterceptors.intercept(new GatewayService(queues, executors), new IdempotencyKeyHeader()));
        Server server = sb.build().start();
        log.info("RobustMQ Gateway serving on {}: deployment {}, calls under '{}/', shared group '{}' (calls,"
            + " device sends, ingest), store {} (id {}), mirror {}, ingest {}", brokerUri,
            deployment.isEmpty() ? "(default)" : "'" + deployment + "'", prefix, group, store.describe(), store.id(),
            mirrorPrefix == null ? "off" : mirrorPrefix.isEmpty() ? "on each topic" : "under '" + mirrorPrefix + "/'",
            ingest.isEmpty() ? "none" : ingest);
        return new Gateway(this, executors, grpcExecutor, streams, bridge, presence, server);
      } catch (IOException | RuntimeException e) {
        if (bridge != null) {
          bridge.close();
        }
        grpcExecutor.shutdownNow();
        executors.close();
        store.close();
        throw e;
      }
    }

    private void checkSettings() {
      String problem = settingsProblem(rpcPrefix(), ingest, mirrorPrefix);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }
  }
}
