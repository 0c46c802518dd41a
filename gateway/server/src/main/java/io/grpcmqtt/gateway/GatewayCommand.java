package io.grpcmqtt.gateway;

import io.grpcmqtt.gateway.kafka.KafkaConfig;
import io.grpcmqtt.gateway.kafka.KafkaIngestRule;
import io.grpcmqtt.gateway.kafka.KafkaOutRule;
import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The Gateway's command line; every option can also come from the environment ({@link
 * Environment}). {@link #config(String)} turns it into a {@link GatewayConfig}.
 */
@Command(
    name = "java -jar grpc-mqtt-gateway.jar",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "The RobustMQ Gateway: durable topic queues (Send, Receive, ReceiveStream, Ack) served as gRPC over"
          + " MQTT 5 (and, with --grpc-listen, plain HTTP/2 gRPC), callable from gRPC stubs in any"
          + " language and from plain MQTT clients.",
      ""
    },
    footer = {
      "",
      "Every option can also be set in the environment: --grpc-listen is GATEWAY_GRPC_LISTEN,"
          + " --no-mirror is GATEWAY_NO_MIRROR=true, --ingest takes a comma-separated list"
          + " (GATEWAY_INGEST='devices/#,legacy/#'); --kafka-out and --kafka-ingest take a ';'-separated one"
          + " (Kafka properties: GATEWAY_KAFKA_CONFIG, a file). The command line wins.",
      "",
      "Once ready it prints one line with the broker URI and its endpoints; SIGTERM stops it."
          + " Exit codes: 2 bad command line, 1 cannot start, 143 after SIGTERM."
    })
final class GatewayCommand {
  /** The longest --idempotency-window: a week (every key of the window is kept in the store). */
  static final long MAX_IDEMPOTENCY_WINDOW_SECONDS = 7 * 24 * 3600;

  @Option(names = "--broker", paramLabel = "URI",
      description = "MQTT 5 broker to serve on (tcp://, ssl://, ws://, wss://). Default: start an"
          + " embedded broker on 127.0.0.1 (see --embedded-port).")
  String broker;

  @Option(names = "--broker-username", paramLabel = "NAME", description = "User name for the broker.")
  String brokerUsername;

  @Option(names = "--broker-password", paramLabel = "SECRET",
      description = "Password for the broker (better: GATEWAY_BROKER_PASSWORD; a command line is visible to other users).")
  String brokerPassword;

  @Option(names = "--embedded-port", paramLabel = "PORT",
      description = "Port of the embedded broker (default 1883; 0 picks a free one).")
  Integer embeddedPort;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Directory of the embedded H2 store (default ./gateway-data).")
  Path dataDir;

  @Option(names = "--jdbc-url", paramLabel = "URL",
      description = "Keep messages in this database instead of --data-dir:"
          + " jdbc:postgresql://HOST:PORT/DB?user=U&password=P (several Gateways may share one) or jdbc:h2:...")
  String jdbcUrl;

  @Option(names = "--ingest", paramLabel = "FILTER", split = ",",
      description = "Also store plain MQTT publishes on FILTER, e.g. 'devices/#' (repeatable).")
  List<String> ingest = new ArrayList<>();

  @Option(names = "--mirror-prefix", paramLabel = "P",
      description = "Publish stored messages on P/{topic} (default: on {topic} itself).")
  String mirrorPrefix;

  @Option(names = "--no-mirror", description = "Do not publish stored messages as plain MQTT messages.")
  boolean noMirror;

  @Option(names = "--deployment", paramLabel = "NAME",
      description = "Serve as deployment NAME: calls under grpc/NAME, every path (calls, device sends, ingest)"
          + " shared in group robustmq-gateway-NAME (default: calls under grpc, group robustmq-gateway)."
          + " Instances of one deployment must share a store; a Gateway refuses to start beside one that"
          + " would split its work.")
  String deployment;

  @Option(names = "--rpc-prefix", paramLabel = "P",
      description = "grpc-mqtt topic prefix of the Gateway's calls (default grpc, or grpc/NAME with --deployment).")
  String rpcPrefix;

  @Option(names = "--max-payload", paramLabel = "BYTES", defaultValue = "" + GatewayLimits.DEFAULT_MAX_PAYLOAD_BYTES,
      description = "Largest payload a Send may carry (default ${DEFAULT-VALUE}; at most 3145728).")
  int maxPayload;

  @Option(names = "--idempotency-window", paramLabel = "SECONDS",
      defaultValue = "" + GatewayLimits.DEFAULT_IDEMPOTENCY_WINDOW_MS / 1000,
      description = "How long a Send's idempotency key is remembered (default ${DEFAULT-VALUE}; at most "
          + MAX_IDEMPOTENCY_WINDOW_SECONDS + ").")
  long idempotencyWindow;

  @Option(names = "--grpc-listen", paramLabel = "HOST:PORT", converter = HostPort.class,
      description = "Also serve plain HTTP/2 gRPC here, with grpc.health.v1 and server reflection"
          + " (e.g. 0.0.0.0:50051; port 0 picks a free one).")
  InetSocketAddress grpcListen;

  @Option(names = "--grpc-tls-cert", paramLabel = "PEM",
      description = "TLS for --grpc-listen: the server's certificate chain (with --grpc-tls-key).")
  Path tlsCert;

  @Option(names = "--grpc-tls-key", paramLabel = "PEM", description = "TLS for --grpc-listen: the private key (PKCS#8).")
  Path tlsKey;

  @Option(names = "--grpc-tls-client-ca", paramLabel = "PEM",
      description = "Require client certificates issued by these CAs (mutual TLS).")
  Path tlsClientCa;

  @Option(names = "--metrics-listen", paramLabel = "HOST:PORT", converter = HostPort.class,
      description = "Serve metrics (gRPC's and the queues') for Prometheus at http://HOST:PORT/metrics.")
  InetSocketAddress metricsListen;

  @Option(names = "--call-threads", paramLabel = "N",
      description = "Threads that run calls; they bound concurrent store commits (default: 8 per core, at least 16).")
  Integer callThreads;

  @Option(names = "--work-threads", paramLabel = "N",
      description = "Threads that claim messages for waiting consumers and store ingested publishes"
          + " (default: 4 per core, at least 8).")
  Integer workThreads;

  @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,...]",
      description = "Connect to Kafka: stored messages are also produced to it (see --kafka-out) and the"
          + " --kafka-ingest topics are taken into the queues.")
  String kafkaBootstrap;

  // No split: values such as sasl.jaas.config end with ';'.
  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
      description = "A Kafka client property, e.g. security.protocol=SSL (repeatable); prefix it with producer."
          + " or consumer. for one kind of client only.")
  List<String> kafkaProperties = new ArrayList<>();

  @Option(names = "--kafka-config", paramLabel = "FILE",
      description = "Kafka client properties from a Java properties file (keys as for --kafka-property, which wins);"
          + " the place for TLS and SASL secrets.")
  Path kafkaConfigFile;

  @Option(names = "--kafka-out", paramLabel = "FILTER=TOPIC", split = ";",
      description = "Produce messages of Gateway topics matching FILTER to Kafka topic TOPIC ({topic} stands for"
          + " the Gateway topic with '/' as '.'; an empty TOPIC: not produced). Repeatable, first match wins."
          + " Default: '#=" + KafkaConfig.DEFAULT_OUT_TOPIC + "'.")
  List<String> kafkaOut = new ArrayList<>();

  @Option(names = "--no-kafka-out", description = "Produce nothing to Kafka (ingest only).")
  boolean noKafkaOut;

  @Option(names = "--kafka-ingest", paramLabel = "TOPICS[=TEMPLATE]", split = ";",
      description = "Store records of these Kafka topics (comma-separated) on the Gateway topic TEMPLATE: {key}"
          + " (the default), {header:NAME}, {kafka-topic} or fixed text, e.g. 'orders=shop/{key}'. Repeatable.")
  List<String> kafkaIngest = new ArrayList<>();

  @Option(names = "--kafka-group", paramLabel = "ID",
      description = "Consumer group of --kafka-ingest (default " + KafkaConfig.DEFAULT_GROUP + ").")
  String kafkaGroup;

  /** The command line of {@code args}, with the environment {@code env} as defaults. */
  static CommandLine parser(GatewayCommand command, java.util.Map<String, String> env) {
    CommandLine cli = new CommandLine(command);
    cli.setDefaultValueProvider(new Environment(env));
    return cli;
  }

  /** The store options, checked; null dataDir and jdbcUrl mean the default directory. */
  void checkOptions(CommandLine cli) {
    if (dataDir != null && jdbcUrl != null) {
      throw new CommandLine.ParameterException(cli, "give --data-dir or --jdbc-url, not both");
    }
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:h2:")) {
      throw new CommandLine.ParameterException(cli, "--jdbc-url must start with jdbc:postgresql: or jdbc:h2:");
    }
    if (noMirror && mirrorPrefix != null) {
      throw new CommandLine.ParameterException(cli, "give --mirror-prefix or --no-mirror, not both");
    }
    if (broker != null && embeddedPort != null) {
      throw new CommandLine.ParameterException(cli, "--embedded-port is for the embedded broker; it cannot go with --broker");
    }
    if (broker != null && !broker.matches("(tcp|ssl|ws|wss)://[^/\\s]+(:\\d+)?(/.*)?")) {
      throw new CommandLine.ParameterException(cli,
          "--broker must be a URI like tcp://HOST:PORT (tcp, ssl, ws or wss), was '" + broker + "'");
    }
    if (embeddedPort != null && (embeddedPort < 0 || embeddedPort > 65_535)) {
      throw new CommandLine.ParameterException(cli, "--embedded-port must be in 0..65535, was " + embeddedPort);
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new CommandLine.ParameterException(cli, "--grpc-tls-cert and --grpc-tls-key go together");
    }
    if ((tlsCert != null || tlsClientCa != null) && grpcListen == null) {
      throw new CommandLine.ParameterException(cli, "the --grpc-tls-* options need --grpc-listen");
    }
    if (metricsListen != null && metricsListen.getPort() == 0) {
      throw new CommandLine.ParameterException(cli, "--metrics-listen needs a fixed port, not 0");
    }
    if (tlsClientCa != null && tlsCert == null) {
      throw new CommandLine.ParameterException(cli, "--grpc-tls-client-ca needs --grpc-tls-cert and --grpc-tls-key");
    }
    if (kafkaBootstrap == null && (!kafkaProperties.isEmpty() || kafkaConfigFile != null || !kafkaOut.isEmpty()
        || noKafkaOut || !kafkaIngest.isEmpty() || kafkaGroup != null)) {
      throw new CommandLine.ParameterException(cli, "the --kafka-* options need --kafka-bootstrap");
    }
  }

  int embeddedPort() {
    return embeddedPort == null ? 1883 : embeddedPort;
  }

  Path dataDir() {
    return dataDir != null ? dataDir : Path.of("gateway-data");
  }

  /**
   * The Gateway's settings for {@code brokerUri}.
   *
   * @throws IllegalArgumentException naming an unusable setting
   */
  GatewayConfig config(String brokerUri) {
    GatewayConfig.Builder b = GatewayConfig.builder(brokerUri)
        .mirrorPrefix(noMirror ? null : mirrorPrefix == null ? "" : mirrorPrefix)
        .grpcListen(grpcListen);
    if (deployment != null) {
      b.deployment(deployment);
    }
    if (rpcPrefix != null) {
      b.rpcTopicPrefix(rpcPrefix);
    }
    try {
      b.maxPayloadBytes(maxPayload);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--max-payload must be in 1.." + GatewayLimits.MAX_RESPONSE_BYTES + ", was " + maxPayload);
    }
    if (idempotencyWindow < 1 || idempotencyWindow > MAX_IDEMPOTENCY_WINDOW_SECONDS) {
      throw new IllegalArgumentException("--idempotency-window must be in 1.." + MAX_IDEMPOTENCY_WINDOW_SECONDS
          + " seconds, was " + idempotencyWindow);
    }
    b.idempotencyWindow(java.time.Duration.ofSeconds(idempotencyWindow));
    if (brokerUsername != null || brokerPassword != null) {
      b.brokerCredentials(brokerUsername == null ? "" : brokerUsername, brokerPassword);
    }
    ingest.forEach(b::ingest);
    if (tlsCert != null) {
      b.grpcTls(new GatewayConfig.Tls(tlsCert, tlsKey, tlsClientCa));
    }
    if (callThreads != null) {
      b.callThreads(callThreads);
    }
    if (workThreads != null) {
      b.workThreads(workThreads);
    }
    if (kafkaBootstrap != null) {
      b.kafka(kafkaConfig());
    }
    return b.build();
  }

  private KafkaConfig kafkaConfig() {
    KafkaConfig.Builder k = KafkaConfig.builder(kafkaBootstrap);
    if (kafkaConfigFile != null) {
      Properties file = new Properties();
      try (Reader in = Files.newBufferedReader(kafkaConfigFile)) {
        file.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read --kafka-config " + kafkaConfigFile + ": " + e.getMessage());
      }
      for (String key : new TreeSet<>(file.stringPropertyNames())) {
        k.property(key, file.getProperty(key));
      }
    }
    for (String p : kafkaProperties) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--kafka-property must be KEY=VALUE, was '" + p + "'");
      }
      k.property(p.substring(0, eq).trim(), p.substring(eq + 1));
    }
    kafkaOut.forEach(rule -> {
      KafkaOutRule r = KafkaOutRule.parse(rule);
      k.out(r.filter(), r.kafkaTopic());
    });
    if (noKafkaOut) {
      k.noOut();
    }
    kafkaIngest.forEach(rule -> k.ingest(KafkaIngestRule.parse(rule)));
    if (kafkaGroup != null) {
      k.group(kafkaGroup);
    }
    return k.build();
  }

  /**
   * Defaults from the environment: option {@code --grpc-listen} is {@code GATEWAY_GRPC_LISTEN}.
   * An unset variable leaves the option's own default.
   */
  static final class Environment implements CommandLine.IDefaultValueProvider {
    private final java.util.Map<String, String> env;

    Environment(java.util.Map<String, String> env) {
      this.env = env;
    }

    static String variable(OptionSpec option) {
      return "GATEWAY_" + option.longestName().replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
      if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
        return null;
      }
      String value = env.get(variable(option));
      return value == null || value.isEmpty() ? null : value;
    }
  }
}
