package io.grpcmqtt.bench;

import io.grpcmqtt.mqtt.MqttClientLibrary;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Pairs grpc-mqtt results with their floors and prints the table; builds the JSON document. */
final class Report {
  /** Targets of issue 18 §5, against the floor of grpc-mqtt's own MQTT client library, QoS 1. */
  static final double UNARY_P50_MAX = 1.10;
  static final double UNARY_P99_MAX = 1.30;
  static final double UNARY_THROUGHPUT_MIN = 0.95;
  static final double STREAM_RATE_MIN = 0.95;
  static final double IDLE_HEAP_MIB_PER_10000_MAX = 30;
  static final int TARGET_QOS = 1;

  private final List<Result> results;
  /** The floor grpc-mqtt is divided by: the one of its library, if the run has it. */
  private final String ownFloor;

  Report(List<Result> results) {
    this(results, MqttClientLibrary.fromSystemProperty() == MqttClientLibrary.HIVEMQ
        ? RawMqtt.Library.HIVEMQ : RawMqtt.Library.PAHO);
  }

  Report(List<Result> results, RawMqtt.Library grpcMqttLibrary) {
    this.results = results;
    this.ownFloor = grpcMqttLibrary.impl;
  }

  /** grpc-mqtt / floor for every grpc-mqtt line that has a floor. */
  List<Map<String, Object>> ratios() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Result r : results) {
      if (!r.impl.startsWith("grpc-mqtt")) {
        continue;
      }
      Result floor = floorOf(r);
      if (floor == null) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("broker", r.broker);
      m.put("impl", r.impl);
      m.put("kind", r.kind);
      m.put("qos", r.qos);
      m.put("concurrency", r.concurrency);
      m.put("payloadBytes", r.payloadBytes);
      m.put("floor", floor.impl + (floor.kind.equals(r.kind) ? "" : " " + floor.kind));
      m.put("throughput", r.throughputPerSec / floor.throughputPerSec);
      if (r.kind.equals("unary") || r.kind.equals("large-unary")) {
        m.put("p50", r.p50Micros / floor.p50Micros);
        m.put("p99", r.p99Micros / floor.p99Micros);
        m.put("p999", r.p999Micros / floor.p999Micros);
      }
      Result http2 = find("grpc-http2", r.kind, -1, r.concurrency, r.payloadBytes, null);
      if (http2 != null && r.kind.equals("unary")) {
        m.put("p50VsHttp2", r.p50Micros / http2.p50Micros);
        m.put("throughputVsHttp2", r.throughputPerSec / http2.throughputPerSec);
      }
      out.add(m);
    }
    return out;
  }

  private Result floorOf(Result r) {
    if (r.kind.equals("unary")) {
      return ownFloorElsePaho("unary", r.qos, r.concurrency, r.payloadBytes, r.broker);
    }
    if (r.kind.equals("server-stream") || r.kind.equals("client-stream")) {
      return ownFloorElsePaho("pubsub", r.qos, 1, r.payloadBytes, r.broker);
    }
    if (r.kind.equals("large-unary")) {
      return find("floor", "large-unary", r.qos, r.concurrency, r.payloadBytes, r.broker);
    }
    if (r.kind.equals("large-stream")) {
      return find("floor", "large-pubsub", r.qos, 1, r.payloadBytes, r.broker);
    }
    return null;
  }

  /** The floor of grpc-mqtt's own library; the Paho floor where the run has not measured that. */
  private Result ownFloorElsePaho(String kind, int qos, int concurrency, int payload,
      String broker) {
    Result own = find(ownFloor, kind, qos, concurrency, payload, broker);
    return own != null ? own : find("floor", kind, qos, concurrency, payload, broker);
  }

  private Result find(String impl, String kind, int qos, int concurrency, int payload,
      String broker) {
    for (Result r : results) {
      if (r.impl.equals(impl) && r.kind.equals(kind) && r.qos == qos
          && r.concurrency == concurrency && r.payloadBytes == payload
          && (broker == null || r.broker.equals(broker))) {
        return r;
      }
    }
    return null;
  }

  /** Each target, per broker that has the lines it needs. */
  List<Map<String, Object>> targets() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> ratio : ratios()) {
      if ((int) ratio.get("qos") != TARGET_QOS || !ratio.get("impl").equals("grpc-mqtt")) {
        continue;
      }
      String kind = (String) ratio.get("kind");
      int conc = (int) ratio.get("concurrency");
      String where = ratio.get("broker") + ", " + ratio.get("payloadBytes") + " B";
      where += " vs " + ratio.get("floor");
      if (kind.equals("unary") && conc == 1) {
        out.add(target("unary p50 / floor p50, concurrency 1", where, (double) ratio.get("p50"),
            "<=", UNARY_P50_MAX));
        out.add(target("unary p99 / floor p99, concurrency 1", where, (double) ratio.get("p99"),
            "<=", UNARY_P99_MAX));
      } else if (kind.equals("unary") && conc == 32) {
        out.add(target("unary throughput / floor, concurrency 32", where,
            (double) ratio.get("throughput"), ">=", UNARY_THROUGHPUT_MIN));
      } else if (kind.equals("server-stream") || kind.equals("client-stream")) {
        out.add(target(kind.replace('-', ' ') + "ing msg/s / raw publish rate", where,
            (double) ratio.get("throughput"), ">=", STREAM_RATE_MIN));
      }
    }
    for (Result r : results) {
      if (r.kind.equals("idle-streams") && r.impl.equals("grpc-mqtt")) {
        out.add(target("heap of 10,000 idle server streams (MiB)", r.broker,
            r.heapMibPer1000 * 10, "<", IDLE_HEAP_MIB_PER_10000_MAX));
      }
    }
    return out;
  }

  private static Map<String, Object> target(String name, String where, double measured,
      String op, double limit) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", name);
    m.put("where", where);
    m.put("measured", measured);
    m.put("limit", op + " " + limit);
    boolean met = op.equals("<=") ? measured <= limit
        : op.equals("<") ? measured < limit : measured >= limit;
    m.put("met", Double.isFinite(measured) && met);
    return m;
  }

  List<Map<String, Object>> resultMaps() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Result r : results) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("broker", r.broker);
      m.put("kind", r.kind);
      m.put("impl", r.impl);
      m.put("qos", r.qos);
      m.put("concurrency", r.concurrency);
      m.put("payloadBytes", r.payloadBytes);
      m.put("samples", r.samples);
      m.put("throughputPerSec", r.throughputPerSec);
      m.put("p50Micros", r.p50Micros);
      m.put("p99Micros", r.p99Micros);
      m.put("p999Micros", r.p999Micros);
      m.put("errors", r.errors);
      if (r.kind.equals("idle-streams")) {
        m.put("heapMibPer1000", r.heapMibPer1000);
        m.put("cpuMillisPerSecPer1000", r.cpuMillisPerSecPer1000);
      }
      if (r.jit.hereMillis() >= 0) {
        m.put("jitMillis", r.jit.hereMillis());
      }
      if (r.jit.serverMillis() >= 0) {
        m.put("serverJitMillis", r.jit.serverMillis());
      }
      if (!r.note.isEmpty()) {
        m.put("note", r.note);
      }
      out.add(m);
    }
    return out;
  }

  void printTable(PrintStream out) {
    out.println();
    out.printf(Locale.ROOT, "%-9s %-13s %-16s %3s %4s %8s %8s %11s %9s %9s %9s %6s  %s%n",
        "broker", "kind", "impl", "qos", "conc", "bytes", "samples", "per sec", "p50 us",
        "p99 us", "p99.9 us", "errors", "note");
    for (Result r : results) {
      if (r.kind.equals("idle-streams")) {
        out.printf(Locale.ROOT, "%-9s %-13s %-16s %3s %4s %8s %8d %11s %9s %9s %9s %6d  %s%n",
            r.broker, r.kind, r.impl, qos(r.qos), "-", "-", r.samples, "-", "-", "-", "-",
            r.errors, String.format(Locale.ROOT, "%.2f MiB heap, %.2f ms CPU/s per 1000 streams%s",
                r.heapMibPer1000, r.cpuMillisPerSecPer1000,
                r.note.isEmpty() ? "" : "; " + r.note));
        continue;
      }
      out.printf(Locale.ROOT, "%-9s %-13s %-16s %3s %4d %8d %8d %11.2f %9s %9s %9s %6d  %s%n",
          r.broker, r.kind, r.impl, qos(r.qos), r.concurrency, r.payloadBytes, r.samples,
          r.throughputPerSec, micros(r.p50Micros), micros(r.p99Micros), micros(r.p999Micros),
          r.errors, r.note);
    }
    out.println();
    out.println("grpc-mqtt / floor (same broker, QoS, concurrency, payload; streams vs raw pub/sub)");
    out.printf(Locale.ROOT, "%-9s %-13s %-16s %3s %4s %8s %8s %8s %8s %10s  %s%n",
        "broker", "kind", "impl", "qos", "conc", "bytes", "p50", "p99", "p99.9", "throughput",
        "floor");
    for (Map<String, Object> m : ratios()) {
      // %s, not %d: the values are boxed in a Map; right-aligned the same either way.
      out.printf(Locale.ROOT, "%-9s %-13s %-16s %3s %4s %8s %8s %8s %8s %10s  %s%n",
          m.get("broker"), m.get("kind"), m.get("impl"), m.get("qos"), m.get("concurrency"),
          m.get("payloadBytes"), ratio(m.get("p50")), ratio(m.get("p99")), ratio(m.get("p999")),
          ratio(m.get("throughput")), m.get("floor"));
    }
    out.println();
    out.println("targets (issue 18, QoS " + TARGET_QOS + ")");
    for (Map<String, Object> t : targets()) {
      out.printf(Locale.ROOT, "  %-4s %-45s %-18s %8.3f %s%n",
          (boolean) t.get("met") ? "MET" : "MISS", t.get("target"), t.get("where"),
          (double) t.get("measured"), t.get("limit"));
    }
  }

  private static String qos(int q) {
    return q < 0 ? "-" : Integer.toString(q);
  }

  private static String micros(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.0f", v) : "-";
  }

  private static String ratio(Object v) {
    return v instanceof Double && Double.isFinite((Double) v)
        ? String.format(Locale.ROOT, "%.3f", (Double) v) : "-";
  }
}
