package io.grpcmqtt.testing;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * External programs run by tests (Maven, java, npm, node), bounded in time, with their output
 * kept for the assertion message.
 */
public final class Commands {
  private Commands() {}

  /** What a finished command printed (stdout and stderr, interleaved as written) and its exit code. */
  public record Result(int exit, String output) {
    /** The output, for an assertion message. */
    @Override
    public String toString() {
      return "exit " + exit + ", output:\n" + output;
    }
  }

  /**
   * Runs {@code command} in {@code dir} with no input; fails the test if it does not finish within
   * {@code timeout} (it and its child processes are then killed).
   *
   * @param env variables added to this JVM's environment; a {@code null} value removes one
   */
  public static Result run(Path dir, Duration timeout, Map<String, String> env, List<String> command)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    // Output through a pipe, as a terminal or a CI log would take it (a file would not show what a
    // program does differently for a file).
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    env.forEach((key, value) -> {
      if (value == null) {
        builder.environment().remove(key);
      } else {
        builder.environment().put(key, value);
      }
    });
    Process process = builder.start();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try (InputStream in = process.getInputStream()) {
        in.transferTo(output);
      } catch (IOException e) {
        // The process is gone; what was read is kept.
      }
    }, "output of " + command.get(0));
    reader.setDaemon(true);
    reader.start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      reader.join(10_000);
      Assertions.fail(String.join(" ", command) + " did not finish within " + timeout
          + "; output:\n" + text(output));
    }
    // A child that outlives the process may hold the pipe open: read what came, without waiting on it.
    reader.join(10_000);
    return new Result(process.exitValue(), text(output));
  }

  private static String text(ByteArrayOutputStream output) {
    synchronized (output) {
      return output.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * Makes sure {@code tool --version} runs. Otherwise the calling test is skipped with the reason
   * — or fails under CI ({@code CI=true}), whose {@code .ci/run} installs every tool tests use.
   */
  public static void require(String tool, String neededFor) throws InterruptedException {
    String missing;
    try {
      Result version = run(Path.of(System.getProperty("java.io.tmpdir")), Duration.ofSeconds(60),
          Map.of(), List.of(tool, "--version"));
      if (version.exit() == 0) {
        return;
      }
      missing = tool + " --version exited " + version.exit() + ": " + version.output();
    } catch (IOException e) {
      missing = tool + " is not installed (" + e.getMessage() + ")";
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail(missing + "; CI must provide it for " + neededFor);
    }
    Assumptions.abort(missing + ": needed for " + neededFor);
  }
}
