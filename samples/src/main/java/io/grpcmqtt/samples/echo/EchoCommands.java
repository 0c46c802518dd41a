package io.grpcmqtt.samples.echo;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.broker.EmbeddedBroker;
import io.grpcmqtt.samples.Resources;
import io.grpcmqtt.samples.echo.v1.EchoGrpc;
import java.io.IOException;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code echo-demo}, {@code echo-server} and {@code echo-client} commands. Each returns the
 * process exit status: 0, 1 when something could not start, or the gRPC status code of the first
 * failed call. Results go to {@code out}, errors (one line) to {@code err}, progress to the log.
 */
public final class EchoCommands {
  private static final Logger log = LoggerFactory.getLogger(EchoCommands.class);

  /** The runtime's default topic prefix. */
  public static final String DEFAULT_PREFIX = "grpc";
  /** The default message. */
  public static final String DEFAULT_TEXT = "hello";
  /** The deadline of each call the client makes. */
  static final long CALL_DEADLINE_MILLIS = 10_000;

  private EchoCommands() {}

  /**
   * Starts an embedded broker on 127.0.0.1:{@code port} (0: a free port), an Echo server and a
   * channel, makes one call of each kind, then stops everything — or, with {@code serve}, keeps
   * serving until the JVM is asked to exit (SIGTERM, Ctrl-C).
   */
  public static int demo(int port, String text, boolean serve, PrintStream out, PrintStream err)
      throws InterruptedException {
    try (Resources running = new Resources()) {
      log.info("Starting the embedded MQTT broker on 127.0.0.1:{}", port == 0 ? "<free port>" : port);
      long t0 = System.nanoTime();
      EmbeddedBroker broker;
      try {
        broker = EmbeddedBroker.builder().port(port).start();
      } catch (IllegalStateException e) {
        err.println(
            "echo-demo: cannot start the embedded broker: " + e.getMessage()
                + (port == 0 ? "" : "; use --port N for another port, or --port 0 for a free one"));
        return 1;
      }
      String uri = broker.uri();
      running.closeable("embedded broker " + uri, broker);
      out.println(EchoClient.line("broker", "HiveMQ", uri, t0));

      Server server;
      try {
        server = running.server("Echo server", startServer(uri, DEFAULT_PREFIX));
      } catch (IOException e) {
        err.println("echo-demo: cannot start the Echo server: " + e.getMessage());
        return 1;
      }
      ManagedChannel channel =
          running.channel("client channel", MqttChannelBuilder.forBroker(uri).build());

      try {
        new EchoClient(channel, uri, CALL_DEADLINE_MILLIS).runAll(text, out);
      } catch (EchoClient.CallFailedException e) {
        err.println("echo-demo: " + e.getMessage());
        return e.status().getCode().value();
      }
      if (serve) {
        out.println(
            "serving Echo on " + uri + " (topic prefix " + DEFAULT_PREFIX + "); stop with Ctrl-C");
        out.flush();
        log.info("Serving until SIGTERM or Ctrl-C; try: echo-client --broker {}", uri);
        running.awaitClosed();
      } else {
        log.info("Demo done; shutting down");
      }
      return 0;
    }
  }

  /** Serves Echo through the broker at {@code brokerUri} until the JVM is asked to exit. */
  public static int server(String brokerUri, String prefix, PrintStream out, PrintStream err)
      throws InterruptedException {
    try (Resources running = new Resources()) {
      try {
        running.server("Echo server", startServer(brokerUri, prefix));
      } catch (IOException e) {
        err.println("echo-server: cannot start: " + e.getMessage());
        return 1;
      }
      out.println(
          "serving Echo on " + brokerUri + " (topic prefix " + prefix + "); stop with Ctrl-C");
      out.flush();
      running.awaitClosed();
      return 0;
    }
  }

  /** Makes one call of each kind to an Echo server behind the broker at {@code brokerUri}. */
  public static int client(
      String brokerUri, String prefix, String text, PrintStream out, PrintStream err)
      throws InterruptedException {
    try (Resources running = new Resources()) {
      ManagedChannel channel =
          running.channel(
              "client channel", MqttChannelBuilder.forBroker(brokerUri).topicPrefix(prefix).build());
      try {
        new EchoClient(channel, brokerUri, CALL_DEADLINE_MILLIS).runAll(text, out);
        return 0;
      } catch (EchoClient.CallFailedException e) {
        err.println("echo-client: " + e.getMessage());
        return e.status().getCode().value();
      }
    }
  }

  private static Server startServer(String brokerUri, String prefix) throws IOException {
    Server server =
        MqttServerBuilder.forBroker(brokerUri)
            .topicPrefix(prefix)
            .addService(new EchoService())
            .build()
            .start();
    log.info(
        "Echo server ({}) serving on {} under topic prefix '{}'",
        EchoGrpc.SERVICE_NAME, brokerUri, prefix);
    return server;
  }
}
