package io.grpcmqtt.bridge;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Node.js client of the interop test, installed with npm into {@code target/node}.
 *
 * <p>Without {@code node} or {@code npm} the test is skipped with the reason — or fails under CI
 * ({@code CI=true}), where they must be present. A failing {@code npm install} always fails.
 */
final class NodeClient {
  private static final Path DIR = Paths.get(System.getProperty("bridge.node.dir", "target/node"));
  private static final Path SOURCES =
      Paths.get(System.getProperty("bridge.node.sources", "src/test/node"));
  /** The include directory the client loads echo.proto from. */
  static final Path PROTOS =
      Paths.get(System.getProperty("bridge.test.protos", "src/test/protobuf")).toAbsolutePath();

  private static Path installed;

  private NodeClient() {}

  /** The directory holding client.js and its node_modules; installs them on first use. */
  static synchronized Path install() throws IOException, InterruptedException {
    if (installed != null) {
      return installed;
    }
    require("node");
    require("npm");
    Files.createDirectories(DIR);
    for (String file : List.of("package.json", "package-lock.json", "client.js")) {
      Files.copy(SOURCES.resolve(file), DIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    // Quick when node_modules is already there: npm only checks it against the lock file.
    Result npm = run(DIR, 300, "npm", "install", "--no-audit", "--no-fund");
    if (npm.exit != 0) {
      fail("npm install in " + DIR + " failed (" + npm.exit + "):\n" + npm.output);
    }
    installed = DIR;
    return installed;
  }

  private static void require(String tool) throws InterruptedException {
    String missing;
    try {
      Result version = run(DIR.getParent(), 60, tool, "--version");
      if (version.exit == 0) {
        return;
      }
      missing = tool + " --version exited " + version.exit + ": " + version.output;
    } catch (IOException e) {
      missing = tool + " is not installed (" + e.getMessage() + ")";
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(missing + "; CI must provide Node.js and npm");
    }
    Assumptions.abort(missing + ": the Node.js interop test needs Node.js and npm");
  }

  /** What a finished command printed (stdout and stderr together) and its exit code. */
  static final class Result {
    final int exit;
    final String output;

    Result(int exit, String output) {
      this.exit = exit;
      this.output = output;
    }
  }

  private static Result run(Path dir, long timeoutSeconds, String... command)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path log = Files.createTempFile(dir, "cmd", ".log");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
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
