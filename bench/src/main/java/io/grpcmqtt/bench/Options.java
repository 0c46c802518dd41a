package io.grpcmqtt.bench;

import com.google.common.base.Splitter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The harness's command line. Bad input is an {@link IllegalArgumentException} with the reason. */
final class Options {
  static final Set<String> BROKERS = Set.of("mosquitto", "hivemq");
  static final Set<String> IMPLS =
      Set.of("floor", "floor-hivemq", "grpc-mqtt", "grpc-http2", "grpc-mqtt-direct",
          "grpc-http2-direct", "floor-wire", "floor-wire-direct", "floor-wire-hivemq",
          "floor-wire-direct-hivemq");
  static final Set<String> SCENARIOS = Set.of("unary", "streaming", "idle", "direct", "large");
  /** What {@code --separate} can run with the server side in a second JVM. */
  static final Set<String> SEPARATE_SCENARIOS = Set.of("unary", "streaming");

  private static final Splitter LIST = Splitter.on(',').trimResults();

  static final String USAGE = String.join("\n",
      "usage: java -jar bench/target/grpc-mqtt-bench.jar [options]",
      "       java -jar bench/target/grpc-mqtt-bench.jar jmh [JMH options]",
      "       java -jar bench/target/grpc-mqtt-bench.jar handoffs [--broker tcp://host:port]",
      "",
      "Measures grpc-mqtt against raw MQTT 5 request/response (the floor) and direct gRPC over",
      "HTTP/2, on each broker, and writes a table to stdout and the ratios to a JSON file.",
      "",
      "  --brokers LIST        mosquitto,hivemq (default both; mosquitto is skipped if not installed)",
      "  --scenarios LIST      unary,streaming,idle,direct (default), and large: a 10 MiB unary",
      "                        Echo and a stream of 1 MiB messages through each broker started",
      "                        with --max-packet-size, against the floor of the same bytes",
      "  --max-packet-size N   the packet cap of the large scenario's brokers (default 131072)",
      "  --qos LIST            QoS of the unary floor and grpc-mqtt runs (default 0,1)",
      "  --stream-qos LIST     QoS of the streaming runs (default 1, grpc-mqtt's default)",
      "  --concurrency LIST    closed-loop callers (default 1,32)",
      "  --payloads LIST       payload sizes in bytes (default 64,16384)",
      "  --impls LIST          floor,grpc-mqtt,grpc-http2 (default); floor-hivemq: the floor written",
      "                        on the HiveMQ MQTT client (floor = Paho); grpc-mqtt-direct: grpc-mqtt",
      "                        with directExecutor() on both ends (diagnostic, not in the default);",
      "                        grpc-http2-direct: the same for grpc-http2, so the two show what",
      "                        grpc-java's executor hand-offs cost on its own transport.",
      "                        floor-wire, floor-wire-direct (and -hivemq): the contract floor:",
      "                        raw MQTT carrying what a grpc-mqtt call carries (its topics,",
      "                        $share subscription, Message Expiry, grpc-timeout, grpc-status,",
      "                        protobuf payload; in streams the grpc-seq of each message and",
      "                        credit frames every half window of 512, not with --separate);",
      "                        floor-wire hands off as grpc-java makes grpc-mqtt do (to a shared",
      "                        pool of a thread per core; compare with grpc-mqtt),",
      "                        floor-wire-direct does not (compare with grpc-mqtt-direct).",
      "                        Diagnostic, not in the default.",
      "                        grpc-mqtt is divided by the floor of its own library",
      "                        (-Dgrpcmqtt.mqttClient=paho|hivemq), else by the Paho floor",
      "  --separate            unary and streaming only: the floors' responders and subscribers",
      "                        and the grpc-mqtt server run in a second JVM (same class path and",
      "                        -Dgrpcmqtt.mqttClient); the requesters, the floors' publishers",
      "                        and the channel stay in this one",
      "  --warmup SECONDS      warm-up of each scenario (default 0.3)",
      "  --jit-warmup SECONDS  at most this long (per broker, QoS and scenario), unmeasured",
      "                        rounds of every line the run will measure before measuring them,",
      "                        until the JIT is quiet: two rounds in a row in which no JVM compiled",
      "                        for more than 2 % of a core (default 60; 0 = off)",
      "  --measure SECONDS     measurement of each scenario (default 0.7)",
      "  --repeat N            run each scenario N times, interleaved with its floor; report",
      "                        merged latency histograms and the median throughput (default 1)",
      "  --idle-streams N      idle server streams to open (default 10000)",
      "  --idle-seconds S      CPU sampling of idle streams (default 1)",
      "  --max-calls N         bound on calls/messages per scenario (default 5000000)",
      "  --long                warm-up 5 s, measurement 20 s, idle sampling 5 s, JIT warm-up",
      "                        at most 120 s",
      "  --smoke               a few seconds: embedded broker, 0.1 s + 0.2 s, 200 idle streams,",
      "                        JIT warm-up at most 0.5 s in rounds of 0.25 s",
      "  --json FILE           where the JSON goes (default bench-results.json)",
      "  --mosquitto PATH      the mosquitto binary (default: PATH, then /usr/sbin/mosquitto)",
      "  --help                this text");

  List<String> brokers = new ArrayList<>(List.of("mosquitto", "hivemq"));
  boolean brokersGiven;
  Set<String> scenarios = new LinkedHashSet<>(List.of("unary", "streaming", "idle", "direct"));
  Set<String> impls = new LinkedHashSet<>(List.of("floor", "grpc-mqtt", "grpc-http2"));
  List<Integer> qos = List.of(0, 1);
  List<Integer> streamQos = List.of(1);
  List<Integer> concurrency = List.of(1, 32);
  List<Integer> payloads = List.of(64, 16384);
  double warmupSeconds = 0.3;
  /** The bound of each JIT warm-up ({@link JitWarmup}); 0 = none. */
  double jitWarmupSeconds = 60;
  /**
   * How long a round of the JIT warm-up runs, shared among its lines: long enough that one
   * compile does not make a round busy, nor a short lull make it quiet.
   */
  double jitRoundSeconds = 2;
  double measureSeconds = 0.7;
  int idleStreams = 10_000;
  double idleSeconds = 1;
  long maxCalls = 5_000_000;
  int maxPacketSize = 131_072;
  int repeat = 1;
  boolean smoke;
  boolean separate;
  boolean help;
  Path json = Path.of("bench-results.json");
  String mosquitto;

  static Options parse(String... args) {
    Options o = new Options();
    List<Runnable> afterPresets = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help":
        case "-h":
          o.help = true;
          break;
        case "--separate":
          o.separate = true;
          break;
        case "--long":
          o.warmupSeconds = 5;
          o.jitWarmupSeconds = 120;
          o.measureSeconds = 20;
          o.idleSeconds = 5;
          break;
        case "--smoke":
          o.smoke = true;
          o.warmupSeconds = 0.1;
          o.jitWarmupSeconds = 0.5;
          o.jitRoundSeconds = 0.25;
          o.measureSeconds = 0.2;
          o.idleStreams = 200;
          o.idleSeconds = 0.2;
          if (!o.brokersGiven) {
            o.brokers = new ArrayList<>(List.of("hivemq"));
          }
          break;
        default:
          if (!a.startsWith("--") || i + 1 >= args.length) {
            throw new IllegalArgumentException(
                a.startsWith("--") ? a + " needs a value" : "unexpected argument '" + a + "'");
          }
          String v = args[++i];
          afterPresets.add(() -> o.set(a, v));
      }
    }
    // Explicit values win over --long and --smoke whatever their order.
    afterPresets.forEach(Runnable::run);
    if (o.separate && !SEPARATE_SCENARIOS.containsAll(o.scenarios)) {
      throw new IllegalArgumentException(
          "--separate runs unary and streaming only: add --scenarios unary,streaming");
    }
    return o;
  }

  private void set(String flag, String v) {
    switch (flag) {
      case "--brokers":
        brokers = new ArrayList<>(names(flag, v, BROKERS));
        brokersGiven = true;
        break;
      case "--scenarios":
        scenarios = names(flag, v, SCENARIOS);
        break;
      case "--impls":
        impls = names(flag, v, IMPLS);
        break;
      case "--qos":
        qos = ints(flag, v, 0, 1);
        break;
      case "--stream-qos":
        streamQos = ints(flag, v, 0, 1);
        break;
      case "--concurrency":
        concurrency = ints(flag, v, 1, 10_000);
        break;
      case "--payloads":
        payloads = ints(flag, v, 0, 4 * 1024 * 1024 - 1024);
        break;
      case "--warmup":
        warmupSeconds = seconds(flag, v, 0);
        break;
      case "--jit-warmup":
        jitWarmupSeconds = seconds(flag, v, 0);
        break;
      case "--measure":
        measureSeconds = seconds(flag, v, 0.05);
        break;
      case "--idle-streams":
        idleStreams = ints(flag, v, 1, 1_000_000).get(0);
        break;
      case "--idle-seconds":
        idleSeconds = seconds(flag, v, 0.05);
        break;
      case "--max-calls":
        maxCalls = ints(flag, v, 1, Integer.MAX_VALUE).get(0);
        break;
      case "--max-packet-size":
        maxPacketSize = ints(flag, v, 1024, 268_435_455).get(0);
        break;
      case "--repeat":
        repeat = ints(flag, v, 1, 1000).get(0);
        break;
      case "--json":
        json = Path.of(v);
        break;
      case "--mosquitto":
        mosquitto = v;
        break;
      default:
        throw new IllegalArgumentException("unknown option " + flag);
    }
  }

  long warmupNanos() {
    return (long) (warmupSeconds * 1e9);
  }

  long measureNanos() {
    return (long) (measureSeconds * 1e9);
  }

  private static Set<String> names(String flag, String v, Set<String> allowed) {
    Set<String> out = new LinkedHashSet<>();
    for (String name : LIST.split(v)) {
      if (!allowed.contains(name)) {
        throw new IllegalArgumentException(
            flag + ": '" + name + "' is not one of " + String.join(",", allowed));
      }
      out.add(name);
    }
    return out;
  }

  private static List<Integer> ints(String flag, String v, int min, int max) {
    List<Integer> out = new ArrayList<>();
    for (String s : LIST.split(v)) {
      int n;
      try {
        n = Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + ": '" + s + "' is not a number");
      }
      if (n < min || n > max) {
        throw new IllegalArgumentException(flag + ": " + n + " is not in " + min + ".." + max);
      }
      out.add(n);
    }
    return List.copyOf(out);
  }

  private static double seconds(String flag, String v, double min) {
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": '" + v + "' is not a number of seconds");
    }
    if (!(d >= min) || d > 3600) {
      throw new IllegalArgumentException(flag + ": " + v + " is not in " + min + "..3600 s");
    }
    return d;
  }
}
