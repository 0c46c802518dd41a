package io.grpcmqtt.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the selected scenarios on each broker in turn and reports them. */
final class Harness {
  private static final Logger log = LoggerFactory.getLogger(Harness.class);
  private static final long IDLE_OPEN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final Options o;
  private final List<String> args;
  private final List<Result> results = new ArrayList<>();
  private final Map<String, Object> brokerVersions = new LinkedHashMap<>();
  private final List<Map<String, Object>> jitWarmups = new ArrayList<>();

  Harness(Options options, List<String> args) {
    this.o = options;
    this.args = args;
  }

  /** Runs everything, prints the table to {@code out}, writes the JSON; returns the document. */
  Map<String, Object> run(PrintStream out) throws Exception {
    long t0 = System.nanoTime();
    if (o.scenarios.contains("direct")
        && (o.impls.contains("grpc-http2") || o.impls.contains("grpc-http2-direct"))) {
      runDirect();
    }
    for (String name : o.brokers) {
      if (o.scenarios.stream().anyMatch(s -> !s.equals("large") && !s.equals("direct"))) {
        BenchBroker broker = start(name, 0);
        if (broker == null) {
          continue;
        }
        brokerVersions.put(name, broker.version());
        try {
          runOn(broker);
        } finally {
          log.info("stopping {}", name);
          broker.close();
        }
      }
      if (o.scenarios.contains("large")) {
        // A broker of its own, capping packets: the large messages cross it in chunks.
        BenchBroker capped = start(name, o.maxPacketSize);
        if (capped == null) {
          continue;
        }
        brokerVersions.put(name + "-capped", capped.version());
        try {
          LargeMessages.run(capped, o, results);
        } finally {
          log.info("stopping {}", name);
          capped.close();
        }
      }
    }
    Report report = new Report(Result.mergeRepeats(results));
    report.printTable(out);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("harness", "grpc-mqtt-bench");
    doc.put("time", Instant.now().toString());
    doc.put("args", args);
    doc.put("wallSeconds", (System.nanoTime() - t0) / 1e9);
    doc.put("machine", Machine.describe());
    doc.put("brokers", brokerVersions);
    doc.put("settings", settings());
    doc.put("jitWarmups", jitWarmups);
    doc.put("results", report.resultMaps());
    doc.put("ratios", report.ratios());
    doc.put("targets", report.targets());
    Path parent = o.json.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(o.json, Json.write(doc), StandardCharsets.UTF_8);
    out.printf("%nJSON written to %s (%.0f s)%n", o.json, (System.nanoTime() - t0) / 1e9);
    return doc;
  }

  private Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("warmupSeconds", o.warmupSeconds);
    s.put("jitWarmupSeconds", o.jitWarmupSeconds);
    s.put("jitRoundSeconds", o.jitRoundSeconds);
    s.put("jitQuietShare", JitWarmup.QUIET_SHARE);
    s.put("jitQuietRounds", JitWarmup.QUIET_ROUNDS);
    s.put("measureSeconds", o.measureSeconds);
    s.put("qos", o.qos);
    s.put("streamQos", o.streamQos);
    s.put("concurrency", o.concurrency);
    s.put("payloads", o.payloads);
    s.put("idleStreams", o.idleStreams);
    s.put("idleSeconds", o.idleSeconds);
    s.put("maxCalls", o.maxCalls);
    s.put("repeat", o.repeat);
    s.put("maxPacketSize", o.maxPacketSize);
    return s;
  }

  /** Starts the named broker; a positive {@code maxPacketSize} caps its packets. */
  private BenchBroker start(String name, int maxPacketSize)
      throws IOException, InterruptedException {
    if (name.equals("hivemq")) {
      log.info("starting embedded HiveMQ CE");
      return HivemqBroker.start(maxPacketSize);
    }
    Path exe = MosquittoProcess.find(o.mosquitto);
    if (exe == null || !Files.isExecutable(exe)) {
      String why = "mosquitto not found (install it: apt-get install mosquitto, or --mosquitto PATH)";
      if (o.brokersGiven) {
        throw new IllegalArgumentException(why);
      }
      log.warn("{}: skipping the mosquitto runs", why);
      return null;
    }
    return MosquittoProcess.start(exe, maxPacketSize);
  }

  /**
   * grpc-java over HTTP/2, and with {@code grpc-http2-direct} the same with directExecutor(): each
   * line of the one interleaved with the other's, after one JIT warm-up of both.
   */
  private void runDirect() throws Exception {
    List<GrpcEndpoint> endpoints = new ArrayList<>();
    try {
      for (boolean direct : new boolean[] {false, true}) {
        if (o.impls.contains(direct ? "grpc-http2-direct" : "grpc-http2")) {
          endpoints.add(GrpcEndpoint.http2(direct));
        }
      }
      List<JitWarmup.Workload> warmUp = new ArrayList<>();
      for (GrpcEndpoint http2 : endpoints) {
        for (int payload : o.payloads) {
          if (o.scenarios.contains("unary")) {
            for (int conc : o.concurrency) {
              warmUp.add(unaryWorkload(GrpcScenarios.unary(http2, payload), conc, () -> {}));
            }
          }
          if (o.scenarios.contains("streaming")) {
            warmUp.addAll(streamWorkloads(http2, payload));
          }
        }
      }
      warmUpJit("grpc-http2", warmUp, null);
      if (o.scenarios.contains("unary")) {
        for (int payload : o.payloads) {
          for (int conc : o.concurrency) {
            for (int rep = 0; rep < o.repeat; rep++) {
              for (GrpcEndpoint http2 : endpoints) {
                unary("-", http2.impl, -1, conc, payload, GrpcScenarios.unary(http2, payload),
                    null);
              }
            }
          }
        }
      }
      if (o.scenarios.contains("streaming")) {
        for (int payload : o.payloads) {
          for (int rep = 0; rep < o.repeat; rep++) {
            for (GrpcEndpoint http2 : endpoints) {
              streams("-", http2, -1, payload, null);
            }
          }
        }
      }
      if (o.scenarios.contains("idle")) { // run() calls this only with one of the two asked for
        idle(null, endpoints.get(0), -1);
      }
    } finally {
      for (GrpcEndpoint e : endpoints) {
        e.close();
      }
    }
  }

  private void runOn(BenchBroker broker) throws Exception {
    String uri = broker.uri();
    if (o.scenarios.contains("unary")) {
      for (int qos : o.qos) {
        unaryOn(broker, qos);
      }
    }
    if (o.scenarios.contains("streaming")) {
      for (int qos : o.streamQos) {
        streamingOn(broker, qos);
      }
    }
    if (o.scenarios.contains("idle") && o.impls.contains("grpc-mqtt")) {
      try (GrpcEndpoint mqtt = GrpcEndpoint.mqtt(uri, 1)) {
        idle(broker, mqtt, 1);
      }
    }
  }

  /**
   * Unary at {@code qos}: each floor and grpc-mqtt back to back for every payload, concurrency
   * and repetition, so all see the same machine state, after a JIT warm-up of the same lines.
   * With {@code --separate} the responders and the server run in a second JVM.
   */
  private void unaryOn(BenchBroker broker, int qos) throws Exception {
    String uri = broker.uri();
    List<RawRequestResponse> floors = new ArrayList<>();
    try (ServerProcess remote =
            o.separate ? new ServerProcess(uri, qos, floors(), wireFloors()) : null;
        GrpcEndpoint mqtt = !o.impls.contains("grpc-mqtt") ? null
            : remote != null ? GrpcEndpoint.mqttChannel(uri, qos, remote)
            : GrpcEndpoint.mqtt(uri, qos);
        GrpcEndpoint direct = o.impls.contains("grpc-mqtt-direct") && remote == null
            ? GrpcEndpoint.mqtt(uri, qos, true) : null) {
      for (RawMqtt.Library library : floors()) {
        floors.add(new RawRequestResponse(library, uri, qos,
            remote == null ? null : remote.runId));
      }
      String runId = remote == null ? null : remote.runId;
      for (String impl : wireFloors()) {
        WireContract wire =
            WireContract.ofImpl(impl, runId == null ? WireContract.newRunId() : runId);
        floors.add(new RawRequestResponse(wire.library, wire, uri, qos, runId));
      }
      List<JitWarmup.Workload> warmUp = new ArrayList<>();
      for (int payload : o.payloads) {
        for (int conc : o.concurrency) {
          for (UnaryLine line : unaryLines(floors, mqtt, direct, payload)) {
            warmUp.add(unaryWorkload(line.call, conc, line.after));
          }
        }
      }
      warmUpJit(broker.name() + ": unary QoS " + qos, warmUp, remote);
      for (int payload : o.payloads) {
        for (int conc : o.concurrency) {
          List<UnaryLine> lines = unaryLines(floors, mqtt, direct, payload);
          for (int rep = 0; rep < o.repeat; rep++) {
            for (UnaryLine line : lines) {
              unary(broker.name(), line.impl, qos, conc, payload, line.call, remote);
              line.after.run();
            }
          }
        }
      }
    } finally {
      floors.forEach(RawRequestResponse::close);
    }
  }

  /** One implementation's unary call at one payload; {@code after} runs after each run of it. */
  private record UnaryLine(String impl, ClosedLoop.Call call, Runnable after) {}

  /** The unary lines of one payload, in the order they run: the floors, then grpc-mqtt. */
  private static List<UnaryLine> unaryLines(List<RawRequestResponse> floors,
      @Nullable GrpcEndpoint mqtt, @Nullable GrpcEndpoint direct, int payload) {
    List<UnaryLine> lines = new ArrayList<>();
    for (RawRequestResponse floor : floors) {
      lines.add(new UnaryLine(floor.impl, floor.call(floor.payload(payload)),
          floor::clearPending));
    }
    for (GrpcEndpoint e : Arrays.asList(mqtt, direct)) {
      if (e != null) {
        lines.add(new UnaryLine(e.impl, GrpcScenarios.unary(e, payload), () -> {}));
      }
    }
    return lines;
  }

  /** {@code call} in a closed loop of {@code conc} callers, unmeasured, then {@code after}. */
  private JitWarmup.Workload unaryWorkload(ClosedLoop.Call call, int conc, Runnable after) {
    return nanos -> {
      new ClosedLoop(call, conc, 0, nanos, o.maxCalls).run();
      after.run();
    };
  }

  /** Both streams of {@code endpoint}, unmeasured. */
  private List<JitWarmup.Workload> streamWorkloads(GrpcEndpoint endpoint, int payload) {
    return List.of(
        nanos -> GrpcScenarios.serverStreaming(endpoint, payload, 0, nanos, o.maxCalls),
        nanos -> GrpcScenarios.clientStreaming(endpoint, payload, 0, nanos, o.maxCalls));
  }

  /**
   * Unmeasured rounds of {@code workloads} until this JVM's and {@code remote}'s JIT are quiet,
   * at most {@code --jit-warmup} seconds ({@link JitWarmup}); recorded for the JSON.
   */
  private void warmUpJit(String what, List<JitWarmup.Workload> workloads,
      @Nullable ServerProcess remote) throws Exception {
    if (o.jitWarmupSeconds > 0 && !workloads.isEmpty()) {
      jitWarmups.add(JitWarmup.run(what, workloads, (long) (o.jitRoundSeconds * 1e9),
          (long) (o.jitWarmupSeconds * 1e9), remote));
    }
  }

  /**
   * Streaming at {@code qos}: the raw publish floor of each library, then grpc-mqtt's server and
   * client streams, for every payload and repetition, back to back as unary's are. With
   * {@code --separate} the floors' subscribers and the grpc-mqtt server run in a second JVM:
   * server streams are received here and client streams there, and the floor publishes from here.
   */
  private void streamingOn(BenchBroker broker, int qos) throws Exception {
    String uri = broker.uri();
    try (ServerProcess remote = o.separate ? new ServerProcess(uri, qos, floors()) : null;
        GrpcEndpoint mqtt = !o.impls.contains("grpc-mqtt") ? null
            : remote != null ? GrpcEndpoint.mqttChannel(uri, qos, remote)
            : GrpcEndpoint.mqtt(uri, qos)) {
      boolean direct = o.impls.contains("grpc-mqtt-direct") && remote == null;
      // The contract floors of streams run in this process only (not with --separate).
      List<WireContract> wires = new ArrayList<>();
      if (remote == null) {
        String runId = WireContract.newRunId();
        for (String impl : wireFloors()) {
          wires.add(WireContract.ofImpl(impl, runId));
        }
      }
      List<JitWarmup.Workload> warmUp = new ArrayList<>();
      for (int payload : o.payloads) {
        for (RawMqtt.Library library : floors()) {
          warmUp.add(nanos -> pubSubRate(remote, library, uri, qos, payload, 0, nanos, n -> {}));
        }
        for (WireContract wire : wires) {
          for (WireStream.Direction d : WireStream.Direction.values()) {
            warmUp.add(nanos -> WireStream.run(wire, d, uri, qos, payload, 0, nanos, o.maxCalls,
                n -> {}));
          }
        }
        if (mqtt != null) {
          warmUp.addAll(streamWorkloads(mqtt, payload));
        }
        if (direct) {
          warmUp.add(nanos -> {
            try (GrpcEndpoint e = GrpcEndpoint.mqtt(uri, qos, true)) {
              for (JitWarmup.Workload w : streamWorkloads(e, payload)) {
                w.run(nanos);
              }
            }
          });
        }
      }
      warmUpJit(broker.name() + ": streaming QoS " + qos, warmUp, remote);
      for (int payload : o.payloads) {
        for (int rep = 0; rep < o.repeat; rep++) {
          for (RawMqtt.Library library : floors()) {
            rateLine(broker.name(), "pubsub", library.impl, qos, payload, remote,
                ended -> pubSubRate(remote, library, uri, qos, payload, o.warmupNanos(),
                    o.measureNanos(), ended));
          }
          for (WireContract wire : wires) {
            for (WireStream.Direction d : WireStream.Direction.values()) {
              rateLine(broker.name(), d.kind, wire.impl(), qos, payload, null,
                  ended -> WireStream.run(wire, d, uri, qos, payload, o.warmupNanos(),
                      o.measureNanos(), o.maxCalls, ended));
            }
          }
          if (mqtt != null) {
            streams(broker.name(), mqtt, qos, payload, remote);
          }
          if (direct) {
            try (GrpcEndpoint e = GrpcEndpoint.mqtt(uri, qos, true)) {
              streams(broker.name(), e, qos, payload, null);
            }
          }
        }
      }
    }
  }

  /** The raw publish floor, with the subscriber in {@code remote} if there is one. */
  private double[] pubSubRate(@Nullable ServerProcess remote, RawMqtt.Library library,
      String uri, int qos, int payload, long warmupNanos, long measureNanos, LongConsumer ended)
      throws Exception {
    return remote == null
        ? RawPubSubRate.run(library, uri, qos, payload, warmupNanos, measureNanos, o.maxCalls,
            ended)
        : RawPubSubRate.toRemote(library, uri, qos, payload, remote.streamTopic(library),
            () -> remote.pubSubReceived(library), warmupNanos, measureNanos, o.maxCalls, ended);
  }

  /** The contract floors {@code --impls} asks for ({@link WireContract}), in a fixed order. */
  private List<String> wireFloors() {
    List<String> out = new ArrayList<>();
    for (RawMqtt.Library l : RawMqtt.Library.values()) {
      for (WireContract.Threading t : WireContract.Threading.values()) {
        if (o.impls.contains(WireContract.impl(l, t))) {
          out.add(WireContract.impl(l, t));
        }
      }
    }
    return out;
  }

  /** The floor libraries {@code --impls} asks for, Paho's first. */
  private List<RawMqtt.Library> floors() {
    List<RawMqtt.Library> out = new ArrayList<>();
    for (RawMqtt.Library l : RawMqtt.Library.values()) {
      if (o.impls.contains(l.impl)) {
        out.add(l);
      }
    }
    return out;
  }

  private void unary(String broker, String impl, int qos, int conc, int payload,
      ClosedLoop.Call call, @Nullable ServerProcess remote) throws InterruptedException {
    log.info("{}: unary {} QoS {}, concurrency {}, {} B", broker, impl, qos, conc, payload);
    ClosedLoop.Outcome out = new ClosedLoop(call, conc, o.warmupNanos(), o.measureNanos(),
        o.maxCalls).measuringJit(remote).run();
    String note = out.drained ? "" : "some calls never ended";
    if (out.firstError != null) {
      note = (note.isEmpty() ? "" : note + "; ") + "first error: " + out.firstError;
      log.warn("{} {}: {} errors, first: {}", broker, impl, out.errors, out.firstError.toString());
    }
    if (!out.kernel.isEmpty()) {
      note = note.isEmpty() ? out.kernel : note + "; " + out.kernel;
    }
    results.add(withJit(Result.builder(broker, "unary", impl).qos(qos).concurrency(conc)
        .payload(payload).latency(out.latency).throughput(out.throughputPerSec)
        .errors(out.errors), note, out.jit).build());
  }

  /**
   * Messages a rate line counted, about: a positive rate counted at least one (a window extended
   * on a busy machine until the first message arrived can be far longer than {@code --measure}).
   */
  private long samples(double perSec) {
    return perSec > 0 ? Math.max(1, Math.round(perSec * o.measureSeconds)) : 0;
  }

  /** {@code jit} into the line and, after {@code note}, into its note. */
  private static Result.Builder withJit(Result.Builder line, String note, @Nullable JitTime jit) {
    String jitNote = jit == null ? "" : jit.note();
    if (jit != null) {
      line.jit(jit);
    }
    return line.note(note.isEmpty() ? jitNote : jitNote.isEmpty() ? note : note + "; " + jitNote);
  }

  /**
   * Server and client streaming lines of {@code endpoint}; each line's JIT time covers its
   * warm-up and measurement ({@code remote}: the server process).
   */
  private void streams(String broker, GrpcEndpoint endpoint, int qos, int payload,
      @Nullable ServerProcess remote) throws Exception {
    rateLine(broker, "server-stream", endpoint.impl, qos, payload, remote,
        ended -> new double[] {GrpcScenarios.serverStreaming(endpoint, payload, o.warmupNanos(),
            o.measureNanos(), o.maxCalls), 0});
    rateLine(broker, "client-stream", endpoint.impl, qos, payload, remote,
        ended -> new double[] {GrpcScenarios.clientStreaming(endpoint, payload, o.warmupNanos(),
            o.measureNanos(), o.maxCalls), 0});
  }

  /**
   * One run of a rate: messages per second during the measurement, and errors. A run whose
   * clients close before it returns reports the messages it received in all to {@code ended}
   * while they are still connected; a run that does not is counted when it returns.
   */
  private interface RateRun {
    double[] run(LongConsumer ended) throws Exception;
  }

  /**
   * One rate line: its JIT time covers the warm-up and the measurement ({@code remote}: the
   * server process); its note has this process's kernel counts per message
   * ({@link KernelCounts}) of the warm-up and the measurement: per message received in all, or
   * (a run that does not report them, grpc-mqtt's, whose endpoint outlives the run) per message
   * its rate gives for the time the run took.
   */
  private void rateLine(String broker, String kind, String impl, int qos, int payload,
      @Nullable ServerProcess remote, RateRun run) throws Exception {
    log.info("{}: {} {}, QoS {}, {} B", broker, impl, kind, qos, payload);
    JitTime jit = JitTime.now(remote);
    KernelCounts.Snapshot kernel = KernelCounts.snapshot();
    String what = impl + " " + kind + " " + payload + " B";
    String[] kernelNote = {null};
    long t0 = System.nanoTime();
    double[] rate = run.run(messages -> kernelNote[0] = kernel.perCall(messages, what));
    if (kernelNote[0] == null) {
      kernelNote[0] =
          kernel.perCall(Math.round(rate[0] * (System.nanoTime() - t0) / 1e9), what);
    }
    results.add(withJit(Result.builder(broker, kind, impl).qos(qos).payload(payload)
        .rate(rate[0], samples(rate[0])).errors((long) rate[1]), kernelNote[0],
        JitTime.now(remote).since(jit)).build());
  }

  private void idle(BenchBroker broker, GrpcEndpoint endpoint, int qos)
      throws InterruptedException {
    String name = broker == null ? "-" : broker.name();
    log.info("{}: {} opening {} idle server streams", name, endpoint.impl, o.idleStreams);
    GrpcScenarios.IdleCost cost = GrpcScenarios.idleStreams(endpoint,
        broker == null ? NO_BROKER : broker, o.idleStreams, (long) (o.idleSeconds * 1e9),
        IDLE_OPEN_TIMEOUT_NANOS);
    String note = cost.streams < o.idleStreams
        ? "only " + cost.streams + " of " + o.idleStreams + " opened" : "";
    if (Double.isFinite(cost.brokerCpuMillisPerSecPer1000)) {
      note = (note.isEmpty() ? "" : note + "; ")
          + String.format(java.util.Locale.ROOT, "broker %.2f ms CPU/s per 1000",
              cost.brokerCpuMillisPerSecPer1000);
    }
    results.add(Result.builder(name, "idle-streams", endpoint.impl).qos(qos)
        .rate(Double.NaN, cost.streams)
        .idle(cost.heapMibPer1000, cost.cpuMillisPerSecPer1000).note(note).build());
  }

  private static final BenchBroker NO_BROKER = new BenchBroker() {
    @Override
    public String name() {
      return "-";
    }

    @Override
    public String uri() {
      return "";
    }

    @Override
    public String version() {
      return "";
    }

    @Override
    public long cpuNanos() {
      return -1;
    }

    @Override
    public void close() {}
  };
}
