package io.grpcmqtt.gateway;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The Gateway's command-line options, parsed; {@link UsageException} says what is wrong. */
record CommandLine(
    boolean help,
    String broker,
    int embeddedPort,
    Path dataDir,
    String jdbcUrl,
    List<String> ingest,
    String mirrorPrefix,
    String deployment,
    String rpcPrefix,
    int maxPayloadBytes,
    long idempotencyWindowSeconds) {

  static final String USAGE = String.join("\n",
      "Usage: java -jar grpc-mqtt-gateway.jar [options]",
      "",
      "The RobustMQ Gateway: durable topic queues (Send, Receive, ReceiveStream, Ack) served",
      "as gRPC over MQTT 5, callable from gRPC stubs and from plain MQTT clients.",
      "",
      "Options:",
      "  --broker URI          MQTT 5 broker to serve on (tcp://, ssl://, ws://, wss://).",
      "                        Default: start an embedded broker on 127.0.0.1 (see --embedded-port).",
      "  --embedded-port PORT  port of the embedded broker (default 1883; 0 picks a free one)",
      "  --data-dir DIR        directory of the embedded H2 store (default ./gateway-data)",
      "  --jdbc-url URL        keep messages in this database instead of --data-dir:",
      "                        jdbc:postgresql://HOST:PORT/DB?user=U&password=P (several Gateways",
      "                        may share one) or jdbc:h2:...",
      "  --ingest FILTER       also store plain MQTT publishes on FILTER, e.g. 'devices/#'",
      "                        (repeatable)",
      "  --mirror-prefix P     publish stored messages on P/{topic} (default: on {topic} itself)",
      "  --no-mirror           do not publish stored messages as plain MQTT messages",
      "  --deployment NAME     serve as deployment NAME: calls under grpc/NAME, every path shared",
      "                        in group robustmq-gateway-NAME (default: calls under grpc, group",
      "                        robustmq-gateway). Instances of one deployment must share a store;",
      "                        a Gateway refuses to start beside one that would split its work",
      "  --rpc-prefix P        grpc-mqtt topic prefix of the Gateway's calls (default grpc, or",
      "                        grpc/NAME with --deployment)",
      "  --max-payload BYTES   largest payload a Send may carry (default 1048576)",
      "  --idempotency-window SECONDS",
      "                        how long a Send's idempotency_key is remembered (default 3600)",
      "  -h, --help            print this help and exit",
      "",
      "Once ready it prints one line with the broker URI and its topics; SIGTERM stops it.",
      "");

  /** A bad command line; the message is one line. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  static CommandLine parse(String... args) throws UsageException {
    boolean help = false;
    String broker = null;
    int embeddedPort = 1883;
    Path dataDir = null;
    String jdbcUrl = null;
    List<String> ingest = new ArrayList<>();
    String mirrorPrefix = "";
    boolean noMirror = false;
    boolean mirrorPrefixGiven = false;
    String deployment = "";
    String rpcPrefix = null;
    int maxPayload = GatewayLimits.DEFAULT_MAX_PAYLOAD_BYTES;
    long idempotencyWindow = GatewayLimits.DEFAULT_IDEMPOTENCY_WINDOW_MS / 1000;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String inline = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        inline = arg.substring(eq + 1);
      }
      switch (name) {
        case "-h", "--help" -> help = true;
        case "--no-mirror" -> noMirror = true;
        case "--broker", "--embedded-port", "--data-dir", "--jdbc-url", "--ingest", "--mirror-prefix",
            "--rpc-prefix", "--max-payload", "--deployment", "--idempotency-window" -> {
          String value = inline;
          if (value == null) {
            if (i + 1 >= args.length) {
              throw new UsageException(name + " needs a value");
            }
            value = args[++i];
          }
          if (value.isEmpty()) {
            throw new UsageException(name + " needs a non-empty value");
          }
          switch (name) {
            case "--broker" -> broker = brokerUri(value);
            case "--embedded-port" -> embeddedPort = number(name, value, 0, 65_535);
            case "--data-dir" -> dataDir = Path.of(value);
            case "--jdbc-url" -> {
              if (!value.startsWith("jdbc:postgresql:") && !value.startsWith("jdbc:h2:")) {
                throw new UsageException("--jdbc-url must start with jdbc:postgresql: or jdbc:h2:");
              }
              jdbcUrl = value;
            }
            case "--ingest" -> ingest.add(value);
            case "--mirror-prefix" -> {
              mirrorPrefix = value;
              mirrorPrefixGiven = true;
            }
            case "--rpc-prefix" -> rpcPrefix = value;
            case "--deployment" -> {
              String problem = Gateway.deploymentProblem(value);
              if (problem != null) {
                throw new UsageException(problem);
              }
              deployment = value;
            }
            case "--idempotency-window" -> idempotencyWindow = number(name, value, 1, 7 * 24 * 3600);
            case "--max-payload" -> maxPayload = number(name, value, 1, (int) GatewayLimits.MAX_RESPONSE_BYTES);
            default -> throw new IllegalStateException(name);
          }
        }
        default -> throw new UsageException(arg.startsWith("-")
            ? "unknown option " + name : "unexpected argument '" + arg + "'");
      }
    }
    if (dataDir != null && jdbcUrl != null) {
      throw new UsageException("give --data-dir or --jdbc-url, not both");
    }
    if (noMirror && mirrorPrefixGiven) {
      throw new UsageException("give --mirror-prefix or --no-mirror, not both");
    }
    if (broker != null && embeddedPort != 1883) {
      throw new UsageException("--embedded-port is for the embedded broker; it cannot go with --broker");
    }
    if (rpcPrefix == null) {
      rpcPrefix = deployment.isEmpty() ? Gateway.DEFAULT_RPC_PREFIX : Gateway.DEFAULT_RPC_PREFIX + "/" + deployment;
    }
    String problem = Gateway.settingsProblem(rpcPrefix, ingest, noMirror ? null : mirrorPrefix);
    if (problem != null) {
      throw new UsageException(problem);
    }
    if (dataDir == null && jdbcUrl == null) {
      dataDir = Path.of("gateway-data");
    }
    return new CommandLine(help, broker, embeddedPort, dataDir, jdbcUrl, List.copyOf(ingest),
        noMirror ? null : mirrorPrefix, deployment, rpcPrefix, maxPayload, idempotencyWindow);
  }

  private static String brokerUri(String value) throws UsageException {
    if (!value.matches("(tcp|ssl|ws|wss)://[^/\\s]+(:\\d+)?(/.*)?")) {
      throw new UsageException("--broker must be a URI like tcp://HOST:PORT (tcp, ssl, ws or wss), was '" + value + "'");
    }
    return value;
  }

  private static int number(String name, String value, int min, int max) throws UsageException {
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(name + " must be a whole number in " + min + ".." + max + ", was '" + value + "'");
  }
}
