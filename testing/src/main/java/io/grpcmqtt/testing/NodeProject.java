package io.grpcmqtt.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Node.js program of a test (an unmodified {@code @grpc/grpc-js} client, say), installed with
 * npm from its {@code package.json} and {@code package-lock.json}.
 *
 * <p>Without {@code node} or {@code npm} the test is skipped with the reason — or fails under CI
 * ({@code CI=true}), where they must be present. A failing {@code npm install} always fails.
 */
public final class NodeProject {
  private static final Set<Path> INSTALLED = new HashSet<>();

  private NodeProject() {}

  /**
   * Copies {@code files} (with package.json and package-lock.json) from {@code sources} into
   * {@code dir} and runs {@code npm install} there, once per JVM; quick when node_modules is
   * already there (npm only checks it against the lock file).
   *
   * @return {@code dir}
   */
  public static synchronized Path install(Path sources, Path dir, List<String> files)
      throws IOException, InterruptedException {
    Path target = dir.toAbsolutePath();
    if (INSTALLED.contains(target)) {
      return target;
    }
    require(target, "node");
    require(target, "npm");
    Files.createDirectories(target);
    for (String file : files) {
      Files.copy(sources.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    for (String file : List.of("package.json", "package-lock.json")) {
      Files.copy(sources.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    Result npm = run(target, 300, "npm", "install", "--no-audit", "--no-fund");
    if (npm.exit() != 0) {
      fail("npm install in " + target + " failed (" + npm.exit() + "):\n" + npm.output());
    }
    INSTALLED.add(target);
    return target;
  }

  private static void require(Path dir, String tool) throws InterruptedException {
    String missing;
    try {
      Result version = run(dir.getParent(), 60, tool, "--version");
      if (version.exit() == 0) {
        return;
      }
      missing = tool + " --version exited " + version.exit() + ": " + version.output();
    } catch (IOException e) {
      missing = tool + " is not installed (" + e.getMessage() + ")";
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(missing + "; CI must provide Node.js and npm");
    }
    Assumptions.abort(missing + ": this test needs Node.js and npm");
  }

  /** What a finished command printed (stdout and stderr together) and its exit code. */
  public record Result(int exit, String output) {}

  /** Runs {@code command} in {@code dir}, failing the test if it takes over {@code timeoutSeconds}. */
  public static Result run(Path dir, long timeoutSeconds, String... command)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path log = Files.createTempFile(dir, "cmd", ".log");
    try {
      Process p = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
