package io.grpcmqtt.cli;

import io.grpcmqtt.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code grpc-mqtt broker}: the embedded HiveMQ CE broker, for local work. */
@Command(
    name = "broker",
    header = "Run an embedded MQTT 5 broker for local work.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Runs an MQTT 5 broker (embedded HiveMQ Community Edition, set up for grpc-mqtt) until"
            + " SIGTERM, for local work and tests. Prints its URI on stdout once it accepts"
            + " connections.")
final class BrokerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(BrokerCommand.class);

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = "127.0.0.1",
      description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      defaultValue = "1883",
      description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Keep the broker's state (sessions, retained messages) here; default: a temporary directory, deleted on exit.")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new CliException("--port " + port + " is out of range");
    }
    EmbeddedBroker.Builder builder = EmbeddedBroker.builder().bindAddress(host).port(port);
    if (dataDir != null) {
      builder.dataDir(dataDir);
    }
    EmbeddedBroker broker;
    try {
      broker = builder.start();
    } catch (RuntimeException e) {
      throw new CliException("cannot start the broker on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    log.info("MQTT broker listening on {}", broker.uri());
    spec.commandLine().getOut().println(broker.uri());
    spec.commandLine().getOut().flush();
    UntilTerminated.await(log, "MQTT broker on " + broker.uri(), broker::close);
    return 0;
  }
}
