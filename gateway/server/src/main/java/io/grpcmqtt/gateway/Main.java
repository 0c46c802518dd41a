package io.grpcmqtt.gateway;

import io.grpcmqtt.broker.EmbeddedBroker;
import io.grpcmqtt.gateway.internal.DeviceSendPath;
import io.grpcmqtt.gateway.store.MessageStore;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * {@code java -jar grpc-mqtt-gateway.jar [options]}: runs the RobustMQ Gateway until SIGTERM.
 *
 * <p>Exit codes: 0 after {@code --help} or a clean stop, 1 when it cannot start (broker, store),
 * 2 for a bad command line. Logs go to stderr; stdout gets the one "ready" line.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != SERVED) {
      System.exit(code);
    }
    // Served until a signal: the JVM is already exiting through the shutdown hook.
  }

  /** What {@link #run} returns after serving until the JVM was told to stop. */
  static final int SERVED = -1;

  static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli;
    try {
      cli = CommandLine.parse(args);
    } catch (CommandLine.UsageException e) {
      err.println("error: " + e.getMessage());
      err.print(CommandLine.USAGE);
      return 2;
    }
    if (cli.help()) {
      out.print(CommandLine.USAGE);
      return 0;
    }
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();

    EmbeddedBroker broker = null;
    Gateway gateway;
    try {
      String brokerUri = cli.broker();
      if (brokerUri == null) {
        log.info("No --broker given: starting the embedded MQTT broker on 127.0.0.1:{}", cli.embeddedPort());
        broker = EmbeddedBroker.builder().bindAddress("127.0.0.1").port(cli.embeddedPort()).start();
        brokerUri = broker.uri();
      }
      MessageStore store = cli.jdbcUrl() != null ? MessageStore.open(cli.jdbcUrl()) : MessageStore.h2(cli.dataDir());
      Gateway.Builder builder = Gateway.builder(brokerUri, store);
      if (!cli.deployment().isEmpty()) {
        builder.deployment(cli.deployment());
      }
      builder.rpcTopicPrefix(cli.rpcPrefix())
          .idempotencyWindow(java.time.Duration.ofSeconds(cli.idempotencyWindowSeconds()))
          .mirrorPrefix(cli.mirrorPrefix())
          .maxPayloadBytes(cli.maxPayloadBytes());
      cli.ingest().forEach(builder::ingest);
      gateway = builder.start();
    } catch (Exception e) {
      err.println("error: cannot start the Gateway: " + e.getMessage());
      log.debug("start failure", e);
      if (broker != null) {
        broker.close();
      }
      return 1;
    }

    CountDownLatch stopped = new CountDownLatch(1);
    EmbeddedBroker embedded = broker;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Stopping (signal received)");
      try {
        gateway.close();
        if (embedded != null) {
          embedded.close();
        }
      } finally {
        stopped.countDown();
      }
    }, "gateway-shutdown"));

    out.println(readyLine(gateway, embedded != null));
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return SERVED;
  }

  static String readyLine(Gateway g, boolean embedded) {
    String mirror = g.mirrorTopic("{topic}");
    return "RobustMQ Gateway ready: broker " + g.brokerUri() + (embedded ? " (embedded)" : "")
        + " | calls " + g.requestTopic("{Send,Receive,ReceiveStream,Ack}")
        + " | device send " + DeviceSendPath.PREFIX + "/{topic}"
        + " | group " + g.shareGroup()
        + " | mirror " + (mirror == null ? "off" : mirror)
        + " | ingest " + (g.ingestFilters().isEmpty() ? "none" : String.join(" ", g.ingestFilters()))
        + " | store " + g.storeDescription();
  }
}
