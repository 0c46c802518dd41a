package io.grpcmqtt;

import io.grpcmqtt.mqtt.MqttClientLibrary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A separate JVM running a test main, so a test can kill -9 it. */
final class JavaProcess implements AutoCloseable {
  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> all = new ArrayList<>();

  private JavaProcess(Process process) {
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                  synchronized (all) {
                    all.add(line);
                  }
                }
              } catch (IOException e) {
                // the process died: that is what tests do to it
              }
            },
            "java-process-output");
    reader.setDaemon(true);
    reader.start();
  }

  static JavaProcess start(Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    // Starts in about half the time; these processes serve tests, not benchmarks.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    // The child uses the same MQTT client library as the test that starts it.
    String library = System.getProperty(MqttClientLibrary.PROPERTY);
    if (library != null) {
      command.add("-D" + MqttClientLibrary.PROPERTY + "=" + library);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    return new JavaProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /** Waits for an output line starting with {@code prefix}; fails with the output so far. */
  String awaitLine(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith(prefix)) {
        return line;
      }
      if (line == null && !process.isAlive() && lines.isEmpty()) {
        break;
      }
    }
    throw new AssertionError("no line '" + prefix + "' within " + timeout + "; output: " + output());
  }

  /** How many output lines so far start with {@code prefix}. */
  long count(String prefix) {
    synchronized (all) {
      return all.stream().filter(l -> l.startsWith(prefix)).count();
    }
  }

  String output() {
    synchronized (all) {
      return String.join("\n", all);
    }
  }

  /** SIGTERM, as a deployment stops an instance; returns the exit code. */
  int terminate(Duration timeout) throws IOException, InterruptedException {
    // Not Process.destroy(): it closes our end of the output, and the last lines would be lost.
    signal("TERM");
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("still running " + timeout + " after SIGTERM; output: " + output());
    }
    return process.exitValue();
  }

  /**
   * SIGSTOP: the process freezes with its sockets open, as one behind a pulled cable looks to the
   * broker: connected, but silent.
   */
  void freeze() throws IOException, InterruptedException {
    signal("STOP");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** SIGKILL: no shutdown hook, no DISCONNECT; the broker sees the socket drop. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
