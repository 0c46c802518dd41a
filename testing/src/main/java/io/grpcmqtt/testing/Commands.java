package io.grpcmqtt.testing;

import java.io.File;
import java.io.IOException;
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
    Path log = Files.createTempFile(dir, "command", ".log");
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      env.forEach((key, value) -> {
        if (value == null) {
          builder.environment().remove(key);
        } else {
          builder.environment().put(key, value);
        }
      });
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        Assertions.fail(String.join(" ", command) + " did not finish within " + timeout
            + "; output:\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
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
