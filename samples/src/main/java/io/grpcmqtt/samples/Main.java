package io.grpcmqtt.samples;

import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.samples.Args.UsageException;
import io.grpcmqtt.samples.echo.EchoCommands;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** The samples' command line: {@code java -jar grpc-mqtt-samples.jar <command> [options]}. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  /** Exit status of a bad command line. */
  public static final int EXIT_USAGE = 2;

  static final String USAGE =
      """
      usage: java -jar grpc-mqtt-samples.jar <command> [options]

      commands:
        echo-demo   [--port N] [--text T] [--serve]
            Starts an embedded MQTT broker (HiveMQ CE) on 127.0.0.1, an Echo server and a client,
            makes one call of each kind (unary, server/client/bidi streaming) and prints the results.
            With --serve it keeps serving until Ctrl-C or SIGTERM; otherwise it stops and exits.
        echo-server --broker URI [--prefix P]
            Serves Echo through an existing MQTT 5 broker until Ctrl-C or SIGTERM.
        echo-client --broker URI [--prefix P] [--text T]
            Makes one call of each kind to a running Echo server and prints the results.

      options:
        --port N      the embedded broker's port, 0..65535; 0 picks a free one (default 1883)
        --serve       keep the demo's broker and server running after the calls
        --broker URI  the broker, e.g. tcp://127.0.0.1:1883 (tcp, ssl, ws or wss)
        --prefix P    first topic level(s) of every topic; server and client must agree (default grpc)
        --text T      the message the client sends (default hello)
        -h, --help    print this help

      exit status: 0 success; 1 could not start (port taken, broker unreachable); 2 bad arguments;
      a failed call exits with its gRPC status code (e.g. 3 INVALID_ARGUMENT, 4 DEADLINE_EXCEEDED,
      14 UNAVAILABLE).
      """;

  private Main() {}

  public static void main(String[] args) {
    // grpc-java logs through java.util.logging: route it to Logback with the rest.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the command line {@code args}, printing results to {@code out} and errors to {@code err};
   * returns the exit status instead of exiting.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> argList = Arrays.asList(args);
    try {
      if (argList.isEmpty()) {
        throw new UsageException("no command given");
      }
      String command = argList.get(0);
      if (isHelp(command)) {
        return help(out);
      }
      List<String> options = argList.subList(1, argList.size());
      switch (command) {
        case "echo-demo":
          {
            Args a = Args.parse(command, options, Set.of("--port", "--text"), Set.of("--serve"));
            if (a.helpRequested()) {
              return help(out);
            }
            return EchoCommands.demo(
                a.getInt("--port", 1883, 0, 65_535),
                a.get("--text", EchoCommands.DEFAULT_TEXT),
                a.has("--serve"),
                out,
                err);
          }
        case "echo-server":
          {
            Args a = Args.parse(command, options, Set.of("--broker", "--prefix"), Set.of());
            if (a.helpRequested()) {
              return help(out);
            }
            String broker = a.require("--broker");
            String prefix = a.get("--prefix", EchoCommands.DEFAULT_PREFIX);
            checkBrokerAndPrefix(broker, prefix);
            return EchoCommands.server(broker, prefix, out, err);
          }
        case "echo-client":
          {
            Args a =
                Args.parse(command, options, Set.of("--broker", "--prefix", "--text"), Set.of());
            if (a.helpRequested()) {
              return help(out);
            }
            String broker = a.require("--broker");
            String prefix = a.get("--prefix", EchoCommands.DEFAULT_PREFIX);
            checkBrokerAndPrefix(broker, prefix);
            return EchoCommands.client(
                broker, prefix, a.get("--text", EchoCommands.DEFAULT_TEXT), out, err);
          }
        default:
          throw new UsageException(
              command.startsWith("-")
                  ? "expected a command before " + command
                  : "unknown command '" + command + "'");
      }
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.print(USAGE);
      err.flush();
      return EXIT_USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println(args[0] + ": interrupted");
      return 1;
    } catch (RuntimeException e) {
      log.error("{} failed", args[0], e);
      err.println(args[0] + ": failed: " + e);
      return 1;
    } finally {
      out.flush();
    }
  }

  private static int help(PrintStream out) {
    out.print(USAGE);
    return 0;
  }

  private static boolean isHelp(String arg) {
    return arg.equals("-h") || arg.equals("--help") || arg.equals("help");
  }

  /** The runtime's own checks of the broker URI and topic prefix, as usage errors. */
  private static void checkBrokerAndPrefix(String broker, String prefix) throws UsageException {
    try {
      MqttChannelBuilder.forBroker(broker).topicPrefix(prefix);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
