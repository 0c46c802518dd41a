package io.grpcmqtt.samples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.samples.CliRun;
import io.grpcmqtt.testing.TestBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** echo-demo, echo-client and echo-server as the command line runs them. */
class EchoCommandsTest {

  /** The lines the client prints for {@code text}, without their timings. */
  private static List<String> callLines(String uri, String text) {
    String q = '"' + text + '"';
    return List.of(
        "connect           MQTT     -> " + uri,
        "unary             Echo     -> " + q,
        "server-streaming  Expand   -> [#0 " + q + ", #1 " + q + ", #2 " + q + "]",
        "client-streaming  Collect  -> \"" + text + " " + text + " " + text + "\" from 3 messages",
        "bidi-streaming    Chat     -> [#0 " + q + ", #1 " + q + ", #2 " + q + "]");
  }

  private static List<String> withoutTimings(List<String> lines) {
    return lines.stream().map(l -> l.replaceFirst(" \\(\\d+\\.\\d ms\\)$", "")).toList();
  }

  @Test
  void demoRunsEachCallKindOnItsOwnBrokerAndExits0() {
    CliRun r = CliRun.of("echo-demo", "--port", "0", "--text", "demo");

    assertEquals(0, r.status(), r::toString);
    List<String> lines = r.outLines();
    assertEquals(6, lines.size(), r::toString);
    for (String line : lines) {
      assertTrue(line.matches(".* \\(\\d+\\.\\d ms\\)"), "no timing in: " + line);
    }
    String uri = lines.get(0).replaceFirst("^broker +HiveMQ +-> (tcp://127\\.0\\.0\\.1:\\d+) .*", "$1");
    assertTrue(uri.matches("tcp://127\\.0\\.0\\.1:\\d+"), lines.get(0));
    List<String> expected = new ArrayList<>();
    expected.add("broker            HiveMQ   -> " + uri);
    expected.addAll(callLines(uri, "demo"));
    assertEquals(expected, withoutTimings(lines));
    assertEquals("", r.err());
  }

  @Test
  void demoOnATakenPortExits1AndSaysSo() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      CliRun r = CliRun.of("echo-demo", "--port", Integer.toString(taken.getLocalPort()));

      assertEquals(1, r.status(), r::toString);
      assertEquals("", r.out());
      assertEquals(1, r.err().lines().count(), r::toString);
      assertTrue(r.firstErrLine().startsWith("echo-demo: cannot start the embedded broker: "), r::toString);
      assertTrue(r.firstErrLine().contains("the port is already in use"), r::toString);
      assertTrue(r.firstErrLine().endsWith("or --port 0 for a free one"), r::toString);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void clientCallsARunningServerAndExits0(TestBroker broker) throws Exception {
    try (EchoRpc rpc = new EchoRpc(broker)) {
      CliRun r =
          CliRun.of("echo-client", "--broker", broker.uri(), "--prefix", rpc.prefix, "--text", "hi there");
      assertEquals(0, r.status(), r::toString);
      assertEquals(callLines(broker.uri(), "hi there"), withoutTimings(r.outLines()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void clientExitsWithTheStatusCodeOfAFailedCall(TestBroker broker) throws Exception {
    try (EchoRpc rpc = new EchoRpc(broker)) {
      CliRun r =
          CliRun.of(
              "echo-client", "--broker", broker.uri(), "--prefix", rpc.prefix, "--text", "x".repeat(5000));
      assertEquals(3, r.status(), r::toString); // INVALID_ARGUMENT
      assertEquals(
          "echo-client: Echo failed: INVALID_ARGUMENT: message must be at most 4096 characters, was 5000",
          r.firstErrLine());
    }
  }

  /**
   * --serve keeps serving; SIGTERM runs the shutdown hook, which stops server, channel, broker.
   * A separate JVM, so it runs beside the other tests (most of its time is HiveMQ stopping).
   */
  @Test
  @Execution(ExecutionMode.CONCURRENT)
  @Timeout(60)
  void demoServesUntilSigterm(@TempDir Path dir) throws Exception {
    Path stderr = dir.resolve("stderr.txt");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.grpcmqtt.samples.Main",
                "echo-demo",
                "--port",
                "0",
                "--serve")
            .redirectError(stderr.toFile())
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<List<String>> untilServing =
          CompletableFuture.supplyAsync(
              () -> {
                List<String> lines = new ArrayList<>();
                try {
                  for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                    if (line.startsWith("serving Echo on ")) {
                      break;
                    }
                  }
                } catch (IOException e) {
                  lines.add("(" + e + ")");
                }
                return lines;
              });
      List<String> lines = untilServing.get(30, TimeUnit.SECONDS);
      assertEquals(7, lines.size(), () -> lines + "\n" + read(stderr));
      assertTrue(
          lines.get(6).matches("serving Echo on tcp://127\\.0\\.0\\.1:\\d+ \\(topic prefix grpc\\); stop with Ctrl-C"),
          lines.get(6));
      assertTrue(process.isAlive(), "exited instead of serving");

      process.destroy(); // SIGTERM
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running 30 s after SIGTERM");
      assertEquals(143, process.exitValue(), () -> read(stderr)); // 128 + SIGTERM, as for any JVM
      String log = read(stderr);
      assertTrue(log.contains("Shutdown requested"), log);
      assertTrue(log.contains("Stopped client channel"), log);
      assertTrue(log.contains("Stopped Echo server"), log);
      assertTrue(log.matches("(?s).*Stopped embedded broker tcp://127\\.0\\.0\\.1:\\d+ in.*"), log);
      assertFalse(log.contains("ERROR") || log.contains("WARN"), log);
    } finally {
      process.destroyForcibly();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }
}
