package io.grpcmqtt.gateway;

import io.grpcmqtt.broker.EmbeddedBroker;
import io.grpcmqtt.gateway.internal.DeviceSendPath;
import io.grpcmqtt.gateway.internal.PrometheusEndpoint;
import io.grpcmqtt.gateway.store.MessageStore;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;

/**
 * {@code java -jar grpc-mqtt-gateway.jar [options]}: runs the RobustMQ Gateway until SIGTERM.
 *
 * <p>Exit codes: 0 after {@code --help} or {@code --version}, 1 when it cannot start (broker,
 * store, a listener), 2 for a bad command line. Logs go to stderr; stdout gets the one "ready"
 * line.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    if (code != SERVED) {
      System.exit(code);
    }
    // Served until a signal: the JVM is already exiting through the shutdown hook.
  }

  /** What {@link #run} returns after serving until the JVM was told to stop. */
  static final int SERVED = -1;

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    GatewayCommand options = new GatewayCommand();
    CommandLine cli = GatewayCommand.parser(options, env);
    PrintWriter outWriter = new PrintWriter(out, true, StandardCharsets.UTF_8);
    cli.setOut(outWriter);
    try {
      CommandLine.ParseResult parsed = cli.parseArgs(args);
      if (CommandLine.printHelpIfRequested(parsed)) {
        outWriter.flush();
        return 0;
      }
      options.checkOptions(cli);
    } catch (CommandLine.ParameterException e) {
      return usageError(e.getMessage(), cli, err);
    }
    String brokerUri = options.broker;
    GatewayConfig config;
    try {
      // The embedded broker's URI is known only once it runs; check everything else first.
      config = options.config(brokerUri != null ? brokerUri : "tcp://127.0.0.1:" + options.embeddedPort());
    } catch (IllegalArgumentException e) {
      return usageError(e.getMessage(), cli, err);
    }
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();

    EmbeddedBroker broker = null;
    PrometheusEndpoint metrics = null;
    Gateway gateway;
    try {
      if (brokerUri == null) {
        log.info("No --broker given: starting the embedded MQTT broker on 127.0.0.1:{}", options.embeddedPort());
        broker = EmbeddedBroker.builder().bindAddress("127.0.0.1").port(options.embeddedPort()).start();
        config = config.toBuilder().brokerUri(broker.uri()).build();
      }
      if (options.metricsListen != null) {
        metrics = PrometheusEndpoint.start(options.metricsListen);
        config = config.toBuilder().openTelemetry(metrics.openTelemetry()).build();
      }
      MessageStore store = options.jdbcUrl != null
          ? MessageStore.open(options.jdbcUrl) : MessageStore.h2(options.dataDir());
      gateway = Gateway.start(config, store);
    } catch (Exception e) {
      err.println("error: cannot start the Gateway: " + e.getMessage());
      log.debug("start failure", e);
      if (metrics != null) {
        metrics.close();
      }
      if (broker != null) {
        broker.close();
      }
      return 1;
    }

    CountDownLatch stopped = new CountDownLatch(1);
    EmbeddedBroker embedded = broker;
    PrometheusEndpoint endpoint = metrics;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Stopping (signal received)");
      try {
        gateway.close();
        if (endpoint != null) {
          endpoint.close();
        }
        if (embedded != null) {
          embedded.close();
        }
      } finally {
        stopped.countDown();
      }
    }, "gateway-shutdown"));

    out.println(readyLine(gateway, embedded != null, endpoint == null ? null
        : "http://" + options.metricsListen.getHostString() + ":" + endpoint.port() + "/metrics"));
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return SERVED;
  }

  private static int usageError(String message, CommandLine cli, PrintStream err) {
    err.println("error: " + message);
    err.print(cli.getUsageMessage(CommandLine.Help.Ansi.OFF));
    err.flush();
    return 2;
  }

  static String readyLine(Gateway g, boolean embedded, String metricsUrl) {
    String mirror = g.mirrorTopic("{topic}");
    GatewayConfig c = g.config();
    return "RobustMQ Gateway ready: broker " + g.brokerUri() + (embedded ? " (embedded)" : "")
        + " | calls " + g.requestTopic("{Send,Receive,ReceiveStream,Ack}")
        + " | device send " + DeviceSendPath.PREFIX + "/{topic}"
        + " | group " + c.shareGroup()
        + " | mirror " + (mirror == null ? "off" : mirror)
        + " | ingest " + (g.ingestFilters().isEmpty() ? "none" : String.join(" ", g.ingestFilters()))
        + (c.grpcListen() == null ? "" : " | grpc " + (c.grpcTls() == null ? "" : "tls ")
            + c.grpcListen().getHostString() + ":" + g.grpcPort())
        + (metricsUrl == null ? "" : " | metrics " + metricsUrl)
        + (g.kafkaDescription() == null ? "" : " | kafka " + g.kafkaDescription())
        + " | store " + g.storeDescription();
  }
}
