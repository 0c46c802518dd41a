package io.grpcmqtt.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

  Harness(Options options, List<String> args) {
    this.o = options;
    this.args = args;
  }

  /** Runs everything, prints the table to {@code out}, writes the JSON; returns the document. */
  Map<String, Object> run(PrintStream out) throws Exception {
    long t0 = System.nanoTime();
    if (o.scenarios.contains("direct") && o.impls.contains("grpc-http2")) {
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

  private void runDirect() throws Exception {
    try (GrpcEndpoint http2 = GrpcEndpoint.http2()) {
      if (o.scenarios.contains("unary")) {
        for (int payload : o.payloads) {
          for (int conc : o.concurrency) {
            for (int rep = 0; rep < o.repeat; rep++) {
              unary("-", "grpc-http2", -1, conc, payload, GrpcScenarios.unary(http2, payload));
            }
          }
        }
      }
      if (o.scenarios.contains("streaming")) {
        for (int payload : o.payloads) {
          for (int rep = 0; rep < o.repeat; rep++) {
            streams("-", http2, -1, payload);
          }
        }
      }
      if (o.scenarios.contains("idle")) {
        idle(null, http2, -1);
      }
    }
  }

  private void runOn(BenchBroker broker) throws Exception {
    String uri = broker.uri();
    warmUpJit(broker);
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
   * and repetition, so all see the same machine state. With {@code --separate} the responders
   * and the server run in a second JVM.
   */
  private void unaryOn(BenchBroker broker, int qos) throws Exception {
    String uri = broker.uri();
    List<RawRequestResponse> floors = new ArrayList<>();
    try (ServerProcess remote = o.separate ? new ServerProcess(uri, qos, floors()) : null;
        GrpcEndpoint mqtt = !o.impls.contains("grpc-mqtt") ? null
            : remote != null ? GrpcEndpoint.mqttChannel(uri, qos, remote)
            : GrpcEndpoint.mqtt(uri, qos);
        GrpcEndpoint direct = o.impls.contains("grpc-mqtt-direct") && remote == null
            ? GrpcEndpoint.mqtt(uri, qos, true) : null) {
      for (RawMqtt.Library library : floors()) {
        floors.add(new RawRequestResponse(library, uri, qos,
            remote == null ? null : remote.runId));
      }
      if (remote != null && o.jitWarmupSeconds > 0) {
        // warmUpJit ran both ends in this JVM: warm the server process's code too.
        long each = (long) (o.jitWarmupSeconds * 1e9 / 5);
        for (RawRequestResponse floor : floors) {
          new ClosedLoop(floor.call(new byte[64]), 32, 0, each, o.maxCalls).run();
          floor.clearPending();
        }
        if (mqtt != null) {
          new ClosedLoop(GrpcScenarios.unary(mqtt, 64), 32, 0, each, o.maxCalls).run();
        }
      }
      for (int payload : o.payloads) {
        for (int conc : o.concurrency) {
          for (int rep = 0; rep < o.repeat; rep++) {
            for (RawRequestResponse floor : floors) {
              unary(broker.name(), floor.library.impl, qos, conc, payload,
                  floor.call(new byte[payload]));
              floor.clearPending();
            }
            if (mqtt != null) {
              unary(broker.name(), "grpc-mqtt", qos, conc, payload,
                  GrpcScenarios.unary(mqtt, payload));
            }
            if (direct != null) {
              unary(broker.name(), direct.impl, qos, conc, payload,
                  GrpcScenarios.unary(direct, payload));
            }
          }
        }
      }
    } finally {
      floors.forEach(RawRequestResponse::close);
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
      if (remote != null && o.jitWarmupSeconds > 0) {
        // warmUpJit ran both ends in this JVM: warm the server process's code too.
        long each = (long) (o.jitWarmupSeconds * 1e9 / 5);
        for (RawMqtt.Library library : floors()) {
          pubSubRate(remote, library, uri, qos, 64, 0, each);
        }
        if (mqtt != null) {
          GrpcScenarios.serverStreaming(mqtt, 64, 0, each, o.maxCalls);
          GrpcScenarios.clientStreaming(mqtt, 64, 0, each, o.maxCalls);
        }
      }
      for (int payload : o.payloads) {
        for (int rep = 0; rep < o.repeat; rep++) {
          for (RawMqtt.Library library : floors()) {
            log.info("{}: raw publish->subscribe rate, {}, QoS {}, {} B", broker.name(),
                library.impl, qos, payload);
            double[] raw = pubSubRate(remote, library, uri, qos, payload, o.warmupNanos(),
                o.measureNanos());
            results.add(Result.builder(broker.name(), "pubsub", library.impl).qos(qos)
                .payload(payload).rate(raw[0], Math.round(raw[0] * o.measureSeconds))
                .errors((long) raw[1]).build());
          }
          if (mqtt != null) {
            streams(broker.name(), mqtt, qos, payload);
          }
          if (o.impls.contains("grpc-mqtt-direct") && remote == null) {
            try (GrpcEndpoint direct = GrpcEndpoint.mqtt(uri, qos, true)) {
              streams(broker.name(), direct, qos, payload);
            }
          }
        }
      }
    }
  }

  /** The raw publish floor, with the subscriber in {@code remote} if there is one. */
  private double[] pubSubRate(@Nullable ServerProcess remote, RawMqtt.Library library,
      String uri, int qos, int payload, long warmupNanos, long measureNanos) throws Exception {
    return remote == null
        ? RawPubSubRate.run(library, uri, qos, payload, warmupNanos, measureNanos, o.maxCalls)
        : RawPubSubRate.toRemote(library, uri, qos, payload, remote.streamTopic(library),
            () -> remote.pubSubReceived(library), warmupNanos, measureNanos, o.maxCalls);
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

  /**
   * Runs the floor and grpc-mqtt (unary and both streams, small messages, QoS 1) unmeasured, a
   * fifth of {@code --jit-warmup} each, before a broker's scenarios: the per-scenario warm-up is
   * too short for the JIT, and the first lines of a run (and the broker's own code, for the
   * embedded HiveMQ) would otherwise be measured cold.
   */
  private void warmUpJit(BenchBroker broker) throws Exception {
    if (o.jitWarmupSeconds <= 0) {
      return;
    }
    log.info("{}: JIT warm-up, {} s, not measured", broker.name(), o.jitWarmupSeconds);
    long each = (long) (o.jitWarmupSeconds * 1e9 / 5);
    int payload = 64;
    try (GrpcEndpoint mqtt = GrpcEndpoint.mqtt(broker.uri(), 1)) {
      for (RawMqtt.Library library : floors()) {
        try (RawRequestResponse floor = new RawRequestResponse(library, broker.uri(), 1)) {
          new ClosedLoop(floor.call(new byte[payload]), 32, 0, each, o.maxCalls).run();
        }
      }
      new ClosedLoop(GrpcScenarios.unary(mqtt, payload), 32, 0, each, o.maxCalls).run();
      for (RawMqtt.Library library : floors()) {
        RawPubSubRate.run(library, broker.uri(), 1, payload, 0, each, o.maxCalls);
      }
      GrpcScenarios.serverStreaming(mqtt, payload, 0, each, o.maxCalls);
      GrpcScenarios.clientStreaming(mqtt, payload, 0, each, o.maxCalls);
    }
  }

  private void unary(String broker, String impl, int qos, int conc, int payload,
      ClosedLoop.Call call) throws InterruptedException {
    log.info("{}: unary {} QoS {}, concurrency {}, {} B", broker, impl, qos, conc, payload);
    ClosedLoop.Outcome out =
        new ClosedLoop(call, conc, o.warmupNanos(), o.measureNanos(), o.maxCalls).run();
    String note = out.drained ? "" : "some calls never ended";
    if (out.firstError != null) {
      note = (note.isEmpty() ? "" : note + "; ") + "first error: " + out.firstError;
      log.warn("{} {}: {} errors, first: {}", broker, impl, out.errors, out.firstError.toString());
    }
    if (!out.kernel.isEmpty()) {
      note = note.isEmpty() ? out.kernel : note + "; " + out.kernel;
    }
    results.add(Result.builder(broker, "unary", impl).qos(qos).concurrency(conc).payload(payload)
        .latency(out.latency).throughput(out.throughputPerSec).errors(out.errors).note(note)
        .build());
  }

  private void streams(String broker, GrpcEndpoint endpoint, int qos, int payload)
      throws InterruptedException {
    log.info("{}: {} server streaming, QoS {}, {} B", broker, endpoint.impl, qos, payload);
    double server = GrpcScenarios.serverStreaming(endpoint, payload, o.warmupNanos(),
        o.measureNanos(), o.maxCalls);
    results.add(Result.builder(broker, "server-stream", endpoint.impl).qos(qos).payload(payload)
        .rate(server, Math.round(server * o.measureSeconds)).build());
    log.info("{}: {} client streaming, QoS {}, {} B", broker, endpoint.impl, qos, payload);
    double client = GrpcScenarios.clientStreaming(endpoint, payload, o.warmupNanos(),
        o.measureNanos(), o.maxCalls);
    results.add(Result.builder(broker, "client-stream", endpoint.impl).qos(qos).payload(payload)
        .rate(client, Math.round(client * o.measureSeconds)).build());
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
