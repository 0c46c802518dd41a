package io.grpcmqtt.bench;

import java.util.Arrays;
import java.util.List;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * {@code java -jar grpc-mqtt-bench.jar [options]} runs the harness; {@code ... jmh [args]} runs
 * the JMH microbenchmarks; {@code ... handoffs} counts executor hand-offs per call. See
 * docs/benchmarks.md.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("jmh")) {
      org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("handoffs")) {
      System.exit(handOffs(Arrays.copyOfRange(args, 1, args.length)));
    }
    System.exit(run(args));
  }

  /** {@code handoffs [--broker URI]}: executor tasks per unary call, on the embedded broker. */
  static int handOffs(String... args) throws Exception {
    if (args.length == 2 && args[0].equals("--broker")) {
      HandOffs.run(args[1], System.out);
      return 0;
    }
    if (args.length != 0) {
      System.err.println("usage: java -jar grpc-mqtt-bench.jar handoffs [--broker tcp://host:port]");
      return 2;
    }
    try (HivemqBroker broker = HivemqBroker.start()) {
      HandOffs.run(broker.uri(), System.out);
    }
    return 0;
  }

  /** Runs the harness; returns the process exit code (0 ok, 2 bad usage, 1 failure). */
  public static int run(String... args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(Options.USAGE);
      return 2;
    }
    if (options.help) {
      System.out.println(Options.USAGE);
      return 0;
    }
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    try {
      new Harness(options, List.of(args)).run(System.out);
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
  }
}
