package io.grpcmqtt.gateway;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Gateway as its own JVM ({@code java io.grpcmqtt.gateway.Main ...} on the test class path,
 * the same main class as the executable jar), for the tests that kill or signal it.
 */
final class GatewayProcess implements AutoCloseable {
  final Process process;
  final String readyLine;
  final Path stderr;

  private GatewayProcess(Process process, String readyLine, Path stderr) {
    this.process = process;
    this.readyLine = readyLine;
    this.stderr = stderr;
  }

  /** Starts it and waits (at most 60 s) for its ready line. */
  static GatewayProcess start(List<String> args) throws IOException, InterruptedException {
    return start(args, java.util.Map.of());
  }

  /** Starts it with {@code env} added to its environment. */
  static GatewayProcess start(List<String> args, java.util.Map<String, String> env)
      throws IOException, InterruptedException {
    // The jar's own logging set-up (INFO to stderr), not the tests' logback-test.xml.
    String logging = GatewayProcess.class.getClassLoader().getResource("logback.xml").toString();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dlogback.configurationFile=" + logging,
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(args);
    return run(command, env);
  }

  /** {@code java -jar jar args}: the executable jar as a user runs it, with its own logging set-up. */
  static GatewayProcess startJar(Path jar, List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString()));
    command.addAll(args);
    return run(command, java.util.Map.of());
  }

  private static GatewayProcess run(List<String> command, java.util.Map<String, String> env)
      throws IOException, InterruptedException {
    Path stderr = Files.createTempFile("gateway-process-", ".log");
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    Process p = builder
        .redirectError(stderr.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return out.readLine();
      } catch (IOException e) {
        return null;
      }
    });
    String line;
    try {
      line = ready.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      line = null;
    }
    if (line == null || !line.startsWith("RobustMQ Gateway ready")) {
      p.destroyForcibly();
      throw new AssertionError("the Gateway did not get ready (stdout: " + line + "); stderr:\n" + Files.readString(stderr));
    }
    return new GatewayProcess(p, line, stderr);
  }

  /** SIGKILL, as a crash: no shutdown hook runs. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM; returns the exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the Gateway did not stop within 30 s of SIGTERM");
    }
    return process.exitValue();
  }

  String log() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    Files.deleteIfExists(stderr);
  }
}
