package io.grpcmqtt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.internal.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness in its smoke mode, end to end on the embedded broker: every scenario is in the JSON
 * with plausible numbers. Nothing here asserts speed.
 */
class SmokeTest {

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  @SuppressWarnings("unchecked")
  void smokeRunReportsEveryScenarioWithSaneNumbers(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("smoke.json");

    // More idle streams than a server admits from one caller by default (1,000): the bench's own
    // limits must not cut its measurement short.
    int code = Main.run("--smoke", "--brokers", "hivemq", "--idle-streams", "1001",
        "--impls", "floor,floor-hivemq,floor-wire,grpc-mqtt,grpc-http2,grpc-http2-direct",
        "--json",
        json.toString());

    assertEquals(0, code);
    Map<String, ?> doc =
        (Map<String, ?>) JsonParser.parse(Files.readString(json, StandardCharsets.UTF_8));
    List<Map<String, ?>> results = (List<Map<String, ?>>) doc.get("results");
    Set<String> expected = new HashSet<>();
    for (String payload : List.of("64", "16384")) {
      for (String conc : List.of("1", "32")) {
        expected.add("-|unary|grpc-http2|-1|" + conc + "|" + payload);
        expected.add("-|unary|grpc-http2-direct|-1|" + conc + "|" + payload);
        for (String qos : List.of("0", "1")) {
          expected.add("hivemq|unary|floor|" + qos + "|" + conc + "|" + payload);
          expected.add("hivemq|unary|floor-hivemq|" + qos + "|" + conc + "|" + payload);
          expected.add("hivemq|unary|grpc-mqtt|" + qos + "|" + conc + "|" + payload);
          expected.add("hivemq|unary|floor-wire|" + qos + "|" + conc + "|" + payload);
        }
      }
      expected.add("hivemq|pubsub|floor|1|1|" + payload);
      expected.add("hivemq|pubsub|floor-hivemq|1|1|" + payload);
      for (String kind : List.of("server-stream", "client-stream")) {
        expected.add("hivemq|" + kind + "|grpc-mqtt|1|1|" + payload);
        expected.add("hivemq|" + kind + "|floor-wire|1|1|" + payload);
        expected.add("-|" + kind + "|grpc-http2|-1|1|" + payload);
        expected.add("-|" + kind + "|grpc-http2-direct|-1|1|" + payload);
      }
    }
    expected.add("hivemq|idle-streams|grpc-mqtt|1|1|0");
    expected.add("-|idle-streams|grpc-http2|-1|1|0");

    Set<String> seen = new HashSet<>();
    for (Map<String, ?> r : results) {
      String key = r.get("broker") + "|" + r.get("kind") + "|" + r.get("impl") + "|"
          + num(r, "qos").intValue() + "|" + num(r, "concurrency").intValue() + "|"
          + num(r, "payloadBytes").intValue();
      assertTrue(seen.add(key), "reported twice: " + key);
      assertEquals(0, num(r, "errors").intValue(), key + ": " + r.get("note"));
      assertTrue(num(r, "samples").longValue() > 0, key + " has no samples");
      if (r.get("kind").equals("idle-streams")) {
        assertFalse(r.containsKey("jitMillis"), key + ": nothing compiled is measured here");
        assertEquals(1001, num(r, "samples").intValue(), key + ": every idle stream opened");
        double heap = num(r, "heapMibPer1000").doubleValue();
        assertTrue(heap > 0 && heap < 1000, key + " heap per 1000 streams " + heap);
        continue;
      }
      double rate = num(r, "throughputPerSec").doubleValue();
      assertTrue(rate > 0 && Double.isFinite(rate), key + " throughput " + rate);
      assertTrue(num(r, "jitMillis").longValue() >= 0, key + ": compile time of its window");
      assertTrue(String.valueOf(r.get("note")).contains("jit "), key + ": " + r.get("note"));
      if (r.get("kind").equals("unary")) {
        double p50 = num(r, "p50Micros").doubleValue();
        double p99 = num(r, "p99Micros").doubleValue();
        double p999 = num(r, "p999Micros").doubleValue();
        assertTrue(p50 > 0 && p50 <= p99 && p99 <= p999, key + " percentiles " + r);
      }
    }
    assertEquals(expected, seen);

    List<Map<String, ?>> ratios = (List<Map<String, ?>>) doc.get("ratios");
    // 8 unary shapes per QoS... 2 QoS x 2 concurrencies x 2 payloads, plus 2 kinds x 2 payloads.
    assertEquals(12, ratios.size());
    for (Map<String, ?> ratio : ratios) {
      double throughput = num(ratio, "throughput").doubleValue();
      assertTrue(throughput > 0 && Double.isFinite(throughput), "ratio " + ratio);
    }
    List<Map<String, ?>> targets = (List<Map<String, ?>>) doc.get("targets");
    assertEquals(11, targets.size(),
        "2 unary p50, 2 unary p99, 2 unary throughput, 4 streaming, 1 heap");
    assertFalse(((Map<String, ?>) doc.get("machine")).isEmpty());
    assertJitWarmups(doc, List.of("grpc-http2", "hivemq: unary QoS 0", "hivemq: unary QoS 1",
        "hivemq: streaming QoS 1"), false);
  }

  /** One JIT warm-up per group of lines, each a round or more, stopped for a reason. */
  @SuppressWarnings("unchecked")
  private static void assertJitWarmups(Map<String, ?> doc, List<String> groups,
      boolean separate) {
    List<Map<String, ?>> warmups = (List<Map<String, ?>>) doc.get("jitWarmups");
    assertEquals(groups, warmups.stream().map(w -> w.get("what")).toList());
    for (Map<String, ?> w : warmups) {
      int rounds = num(w, "rounds").intValue();
      assertTrue(rounds >= 1, "rounds of " + w);
      assertTrue(List.of("quiet", "bound").contains(w.get("stopped")), "stopped: " + w);
      assertEquals(rounds, ((List<?>) w.get("compileMillis")).size(), "per round: " + w);
      assertEquals(separate, w.containsKey("serverCompileMillis"), "server process: " + w);
    }
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  @SuppressWarnings("unchecked")
  void separateProcessesServeTheFloorsAndGrpcMqttFromASecondJvmOnBothBrokers(@TempDir Path dir)
      throws Exception {
    Path mosquitto = MosquittoProcess.find(null);
    if (mosquitto == null || !Files.isExecutable(mosquitto)) {
      // Under CI a missing broker is a failure (.ci/run installs it), elsewhere a skip.
      assertFalse("true".equalsIgnoreCase(System.getenv("CI")), "mosquitto is not installed");
      Assumptions.abort("mosquitto is not installed");
    }
    Path json = dir.resolve("separate.json");

    int code = Main.run("--smoke", "--separate", "--brokers", "mosquitto,hivemq",
        "--scenarios", "unary,streaming", "--qos", "1", "--concurrency", "1", "--payloads", "64",
        "--impls", "floor,floor-hivemq,floor-wire,grpc-mqtt", "--json", json.toString());

    assertEquals(0, code);
    Map<String, ?> doc =
        (Map<String, ?>) JsonParser.parse(Files.readString(json, StandardCharsets.UTF_8));
    Set<String> expected = new HashSet<>();
    for (String broker : List.of("mosquitto", "hivemq")) {
      // floor-wire: the contract floor's responder in the second JVM, on its own topics.
      for (String impl : List.of("floor", "floor-hivemq", "floor-wire", "grpc-mqtt")) {
        expected.add(broker + "|unary|" + impl);
      }
      // The floors' subscribers and the server ran in the second JVM: what they received was
      // counted there and read here. The streams' contract floor runs in one process only.
      expected.add(broker + "|pubsub|floor");
      expected.add(broker + "|pubsub|floor-hivemq");
      expected.add(broker + "|server-stream|grpc-mqtt");
      expected.add(broker + "|client-stream|grpc-mqtt");
    }
    Set<String> seen = new HashSet<>();
    for (Map<String, ?> r : (List<Map<String, ?>>) doc.get("results")) {
      String key = r.get("broker") + "|" + r.get("kind") + "|" + r.get("impl");
      assertEquals(0, num(r, "errors").intValue(), key + ": " + r.get("note"));
      assertTrue(num(r, "samples").longValue() > 0, key + " has no samples");
      double rate = num(r, "throughputPerSec").doubleValue();
      assertTrue(rate > 0 && Double.isFinite(rate), key + " throughput " + rate);
      assertTrue(seen.add(key), "reported twice: " + key);
      assertTrue(num(r, "serverJitMillis").longValue() >= 0, key + ": the server's compile time");
    }
    assertEquals(expected, seen);
    assertJitWarmups(doc, List.of("mosquitto: unary QoS 1", "mosquitto: streaming QoS 1",
        "hivemq: unary QoS 1", "hivemq: streaming QoS 1"), true);
    // Per broker: unary, and both streams against their library's publish floor.
    assertEquals(6, ((List<?>) doc.get("ratios")).size());
    assertEquals(8, ((List<?>) doc.get("targets")).size(),
        "per broker: unary p50 and p99 at concurrency 1, server and client streaming");
  }

  @Test
  void badUsageIsExitCodeTwoWithoutRunningAnything() throws Exception {
    assertEquals(2, Main.run("--qos", "2"));
    assertEquals(2, Main.run("--brokers", "rabbitmq"));
    assertEquals(2, Main.run("--separate"), "--separate runs unary and streaming only");
    assertEquals(2, Main.run("--separate", "--scenarios", "unary,idle"));
    assertEquals(2, Main.run("--measure"));
    assertEquals(0, Main.run("--help"));
  }

  private static Number num(Map<String, ?> m, String key) {
    Object v = m.get(key);
    assertTrue(v instanceof Number, key + " is not a number in " + m);
    return (Number) v;
  }
}
