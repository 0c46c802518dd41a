package io.grpcmqtt.bench;

import org.HdrHistogram.Histogram;

/** One measured line of the report. Latencies in microseconds; rates per second. */
final class Result {
  final String broker;
  /** unary, server-stream, client-stream, pubsub, idle-streams. */
  final String kind;
  /** floor (Paho), floor-hivemq, grpc-mqtt, grpc-mqtt-direct, grpc-http2. */
  final String impl;
  final int qos;
  final int concurrency;
  final int payloadBytes;
  final long samples;
  final double throughputPerSec;
  final double p50Micros;
  final double p99Micros;
  final double p999Micros;
  final long errors;
  /** Idle streams only: heap and CPU per 1,000 open streams. */
  final double heapMibPer1000;
  final double cpuMillisPerSecPer1000;
  final String note;
  /**
   * Compile time (ms) of the JIT during the measurement, in this JVM and in the server process
   * of {@code --separate}; summed over repeats; {@code -1} = not measured.
   */
  final JitTime jit;
  /** The latencies behind the percentiles (ns), to merge repeated runs; null for rates. */
  final Histogram histogram;

  private Result(Builder b) {
    this.broker = b.broker;
    this.kind = b.kind;
    this.impl = b.impl;
    this.qos = b.qos;
    this.concurrency = b.concurrency;
    this.payloadBytes = b.payloadBytes;
    this.samples = b.samples;
    this.throughputPerSec = b.throughputPerSec;
    this.p50Micros = b.p50Micros;
    this.p99Micros = b.p99Micros;
    this.p999Micros = b.p999Micros;
    this.errors = b.errors;
    this.heapMibPer1000 = b.heapMibPer1000;
    this.cpuMillisPerSecPer1000 = b.cpuMillisPerSecPer1000;
    this.note = b.note;
    this.jit = b.jit;
    this.histogram = b.histogram;
  }

  static Builder builder(String broker, String kind, String impl) {
    return new Builder(broker, kind, impl);
  }

  /** What was measured, without the measurement: repeated runs of one scenario share it. */
  String scenario() {
    return broker + "|" + kind + "|" + impl + "|" + qos + "|" + concurrency + "|" + payloadBytes;
  }

  /**
   * One line per scenario: repeated runs merged, latency histograms added up, throughput the
   * median run's (a load burst on a shared machine spoils one run, not the line).
   */
  static java.util.List<Result> mergeRepeats(java.util.List<Result> runs) {
    java.util.Map<String, java.util.List<Result>> byScenario = new java.util.LinkedHashMap<>();
    for (Result r : runs) {
      byScenario.computeIfAbsent(r.scenario(), k -> new java.util.ArrayList<>()).add(r);
    }
    java.util.List<Result> out = new java.util.ArrayList<>();
    for (java.util.List<Result> same : byScenario.values()) {
      if (same.size() == 1) {
        out.add(same.get(0));
        continue;
      }
      Result first = same.get(0);
      double[] rates = same.stream().mapToDouble(r -> r.throughputPerSec).sorted().toArray();
      double median = rates.length % 2 == 1 ? rates[rates.length / 2]
          : (rates[rates.length / 2 - 1] + rates[rates.length / 2]) / 2;
      Builder b = builder(first.broker, first.kind, first.impl).qos(first.qos)
          .concurrency(first.concurrency).payload(first.payloadBytes)
          .errors(same.stream().mapToLong(r -> r.errors).sum())
          .jit(new JitTime(sumOrUnknown(same, r -> r.jit.hereMillis()),
              sumOrUnknown(same, r -> r.jit.serverMillis())))
          .note(same.stream().map(r -> r.note).filter(n -> !n.isEmpty()).distinct()
              .collect(java.util.stream.Collectors.joining("; ")));
      if (first.histogram != null) {
        Histogram merged = first.histogram.copy();
        same.stream().skip(1).forEach(r -> merged.add(r.histogram));
        b.latency(merged);
      } else {
        b.samples = same.stream().mapToLong(r -> r.samples).sum();
      }
      out.add(b.throughput(median).build());
    }
    return out;
  }

  private static long sumOrUnknown(java.util.List<Result> runs,
      java.util.function.ToLongFunction<Result> millis) {
    return runs.stream().allMatch(r -> millis.applyAsLong(r) >= 0)
        ? runs.stream().mapToLong(millis).sum() : -1;
  }

  static final class Builder {
    private final String broker;
    private final String kind;
    private final String impl;
    private int qos = -1;
    private int concurrency = 1;
    private int payloadBytes;
    private long samples;
    private double throughputPerSec = Double.NaN;
    private double p50Micros = Double.NaN;
    private double p99Micros = Double.NaN;
    private double p999Micros = Double.NaN;
    private long errors;
    private double heapMibPer1000 = Double.NaN;
    private double cpuMillisPerSecPer1000 = Double.NaN;
    private String note = "";
    private JitTime jit = new JitTime(-1, -1);
    private Histogram histogram;

    private Builder(String broker, String kind, String impl) {
      this.broker = broker;
      this.kind = kind;
      this.impl = impl;
    }

    Builder qos(int qos) {
      this.qos = qos;
      return this;
    }

    Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    Builder payload(int bytes) {
      this.payloadBytes = bytes;
      return this;
    }

    Builder rate(double perSec, long samples) {
      this.throughputPerSec = perSec;
      this.samples = samples;
      return this;
    }

    Builder latency(Histogram h) {
      this.histogram = h;
      this.samples = h.getTotalCount();
      if (h.getTotalCount() > 0) {
        this.p50Micros = h.getValueAtPercentile(50) / 1e3;
        this.p99Micros = h.getValueAtPercentile(99) / 1e3;
        this.p999Micros = h.getValueAtPercentile(99.9) / 1e3;
      }
      return this;
    }

    Builder throughput(double perSec) {
      this.throughputPerSec = perSec;
      return this;
    }

    Builder errors(long errors) {
      this.errors = errors;
      return this;
    }

    Builder idle(double heapMibPer1000, double cpuMillisPerSecPer1000) {
      this.heapMibPer1000 = heapMibPer1000;
      this.cpuMillisPerSecPer1000 = cpuMillisPerSecPer1000;
      return this;
    }

    Builder note(String note) {
      this.note = note;
      return this;
    }

    Builder jit(JitTime jit) {
      this.jit = jit;
      return this;
    }

    Result build() {
      return new Result(this);
    }
  }
}
