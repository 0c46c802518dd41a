package io.grpcmqtt.gateway;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.opentelemetry.GrpcOpenTelemetry;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.gateway.internal.AdminService;
import io.grpcmqtt.gateway.internal.GatewayExecutors;
import io.grpcmqtt.gateway.internal.GatewayService;
import io.grpcmqtt.gateway.internal.Http2Server;
import io.grpcmqtt.gateway.internal.IdempotencyKeyHeader;
import io.grpcmqtt.gateway.internal.MessageRules;
import io.grpcmqtt.gateway.internal.MqttBridge;
import io.grpcmqtt.gateway.internal.OneWayCalls;
import io.grpcmqtt.gateway.internal.Presence;
import io.grpcmqtt.gateway.internal.QueueStatistics;
import io.grpcmqtt.gateway.internal.Queues;
import io.grpcmqtt.gateway.internal.RequestRules;
import io.grpcmqtt.gateway.internal.StreamRegistry;
import io.grpcmqtt.gateway.internal.TopicSignals;
import io.grpcmqtt.gateway.kafka.internal.KafkaConnector;
import io.grpcmqtt.gateway.store.MessageStore;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.mqtt.MqttConnectionConfig;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running RobustMQ Gateway: the {@code robustmq.gateway.v1.RobustMQGateway} service hosted
 * behind an MQTT broker with grpc-mqtt (and, when configured, on a plain HTTP/2 gRPC listener),
 * its message store, and its plain-MQTT side (mirror, ingest filters, the device Send topic).
 *
 * <pre>{@code
 * GatewayConfig config = GatewayConfig.builder("tcp://127.0.0.1:1883")
 *     .ingest("devices/#")
 *     .grpcListen(new InetSocketAddress("127.0.0.1", 50051))
 *     .build();
 * try (Gateway gateway = Gateway.start(config, MessageStore.h2(dataDir))) {
 *   ...
 * }
 * }</pre>
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  /** The gRPC service name, the second level of its request topics. */
  public static final String SERVICE = RobustMQGatewayGrpc.SERVICE_NAME;

  private final GatewayConfig config;
  private final MessageStore store;
  private final GatewayExecutors executors;
  private final ExecutorService callExecutor;
  private final StreamRegistry streams;
  private final QueueStatistics statistics;
  private final MqttBridge bridge;
  private final Presence presence;
  private final Server server;
  @Nullable private final Http2Server http2;
  @Nullable private final KafkaConnector kafka;
  private boolean closed;

  private Gateway(GatewayConfig config, MessageStore store, GatewayExecutors executors,
      ExecutorService callExecutor, StreamRegistry streams, QueueStatistics statistics,
      MqttBridge bridge, Presence presence, Server server, @Nullable Http2Server http2,
      @Nullable KafkaConnector kafka) {
    this.config = config;
    this.store = store;
    this.executors = executors;
    this.callExecutor = callExecutor;
    this.streams = streams;
    this.statistics = statistics;
    this.bridge = bridge;
    this.presence = presence;
    this.server = server;
    this.http2 = http2;
    this.kafka = kafka;
  }

  /**
   * Connects, starts serving, and returns the running Gateway, which owns {@code store} (closing
   * it on {@link #close()}). On failure nothing is left running and the store is closed.
   *
   * @throws IOException when the broker cannot be reached or the HTTP/2 address bound
   * @throws IllegalStateException when another Gateway on the broker would split this one's work
   *     (same shared group or RPC prefix, another store: see {@link
   *     GatewayConfig.Builder#deployment})
   */
  public static Gateway start(GatewayConfig config, MessageStore store) throws IOException {
    String prefix = config.rpcTopicPrefix();
    String group = config.shareGroup();
    GatewayExecutors executors = new GatewayExecutors(config.workThreads(), config.pollInterval().toMillis());
    AtomicInteger n = new AtomicInteger();
    ExecutorService callExecutor = Executors.newFixedThreadPool(config.callThreads(), r -> {
      Thread t = new Thread(r, "gateway-call-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    StreamRegistry streams = new StreamRegistry();
    RequestRules rules = new RequestRules(new MessageRules(config.maxPayloadBytes(), config.reservedPrefixes()));
    Queues queues = new Queues(store, rules, new TopicSignals(), streams, config.idempotencyWindow().toMillis());
    MqttBridge bridge = null;
    Presence presence = null;
    Server server = null;
    QueueStatistics statistics = null;
    KafkaConnector kafka = null;
    try {
      MqttConnectionConfig.Builder connection = MqttConnectionConfig.builder(config.brokerUri());
      if (config.brokerUsername() != null) {
        connection.credentials(config.brokerUsername(), config.brokerPassword());
      }
      bridge = new MqttBridge(connection, group, config.mirrorPrefix(), executors);
      presence = new Presence(bridge, new Presence.Identity(store.id(), group, prefix), config.deployment(), executors);
      for (String filter : config.ingest()) {
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
      statistics = new QueueStatistics(store, config.openTelemetry().getMeter("io.grpcmqtt.gateway"));
      queues.countIn(statistics);
      if (config.kafka() != null) {
        kafka = KafkaConnector.start(config.kafka(), store, queues, config.openTelemetry().getMeter("io.grpcmqtt.gateway"));
      }
      // One definition for every transport: an idempotency-key header works over MQTT and HTTP/2.
      List<ServerServiceDefinition> services = List.of(
          ServerInterceptors.intercept(new GatewayService(queues, executors), new IdempotencyKeyHeader()),
          new AdminService(statistics, bridge.clientId()).bindService());
      MqttServerBuilder sb = MqttServerBuilder.forBroker(config.brokerUri())
          .topicPrefix(prefix)
          .sharedSubscriptionGroup(group)
          .executor(callExecutor)
          .intercept(new OneWayCalls());
      if (config.brokerUsername() != null) {
        sb.credentials(config.brokerUsername(), config.brokerPassword());
      }
      services.forEach(sb::addService);
      GrpcOpenTelemetry.newBuilder().sdk(config.openTelemetry()).build().configureServerBuilder(sb);
      server = sb.build().start();
      Http2Server http2 = config.grpcListen() == null ? null : Http2Server.start(config, callExecutor, services);
      String mirror = config.mirrorPrefix() == null ? "off"
          : config.mirrorPrefix().isEmpty() ? "on each topic" : "under '" + config.mirrorPrefix() + "/'";
      log.info("RobustMQ Gateway serving on {}{}: deployment {}, calls under '{}/', shared group '{}' (calls,"
          + " device sends, ingest), store {} (id {}), mirror {}, ingest {}, {} call and {} work threads",
          config.brokerUri(),
          http2 == null ? "" : " and HTTP/2 gRPC " + (config.grpcTls() == null ? "(plaintext)" : "(TLS)")
              + " on " + config.grpcListen().getHostString() + ":" + http2.port(),
          config.deployment().isEmpty() ? "(default)" : "'" + config.deployment() + "'", prefix, group,
          store.describe(), store.id(), mirror, config.ingest().isEmpty() ? "none" : config.ingest(),
          config.callThreads(), config.workThreads());
      if (kafka != null) {
        log.info("Kafka: {}", kafka.describe());
      }
      return new Gateway(config, store, executors, callExecutor, streams, statistics, bridge, presence,
          server, http2, kafka);
    } catch (IOException | RuntimeException e) {
      if (statistics != null) {
        statistics.close();
      }
      if (server != null) {
        server.shutdownNow();
      }
      if (presence != null) {
        presence.stop();
      }
      if (kafka != null) {
        kafka.close();
      }
      if (bridge != null) {
        bridge.close();
      }
      callExecutor.shutdownNow();
      executors.close();
      store.close();
      throw e;
    }
  }

  public GatewayConfig config() {
    return config;
  }

  public String brokerUri() {
    return config.brokerUri();
  }

  /** Where clients send calls: {@code grpc/robustmq.gateway.v1.RobustMQGateway/{method}}. */
  public String requestTopic(String method) {
    return config.rpcTopicPrefix() + "/" + SERVICE + "/" + method;
  }

  /** The deployment's name; empty for the default deployment. */
  public String deployment() {
    return config.deployment();
  }

  /**
   * The shared-subscription group of every path of this deployment (calls, device Send topic,
   * ingest): {@code robustmq-gateway}, or {@code robustmq-gateway-NAME} for deployment NAME.
   */
  public String shareGroup() {
    return config.shareGroup();
  }

  /** The port of the HTTP/2 gRPC listener (the bound one when 0 was configured), or -1 without one. */
  public int grpcPort() {
    return http2 == null ? -1 : http2.port();
  }

  /** The store's one-line description. */
  public String storeDescription() {
    return store.describe();
  }

  /** The ingest filters, as given. */
  public List<String> ingestFilters() {
    return config.ingest();
  }

  /** The mirror's topic for a queue topic, or null when mirroring is off. */
  public String mirrorTopic(String queueTopic) {
    return bridge.topicFor(queueTopic);
  }

  /** The Kafka connector in one line, or null without one. */
  @Nullable
  public String kafkaDescription() {
    return kafka == null ? null : kafka.describe();
  }

  /** ReceiveStream calls open on this instance, over MQTT and HTTP/2. */
  public int openStreams() {
    return streams.openStreams();
  }

  /**
   * Stops: no new calls are taken (health says NOT_SERVING), this instance's record is withdrawn,
   * open streams and waiting Receives end with UNAVAILABLE and what the streams held is requeued,
   * then the broker connections and the store are closed.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long t0 = System.nanoTime();
    server.shutdown();
    if (http2 != null) {
      http2.shutdown();
    }
    presence.stop();
    streams.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
      if (http2 != null) {
        http2.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
      if (http2 != null) {
        http2.shutdownNow();
      }
    }
    if (kafka != null) {
      kafka.close();
    }
    bridge.close();
    callExecutor.shutdown();
    executors.close();
    statistics.close();
    store.close();
    log.info("RobustMQ Gateway stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }
}
