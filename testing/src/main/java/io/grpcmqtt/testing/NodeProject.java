package io.grpcmqtt.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Node.js program of a test (an unmodified {@code @grpc/grpc-js} client, the AsyncAPI parser),
 * installed with npm from its {@code package.json} and {@code package-lock.json}.
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
    Commands.require("node", "a Node.js test program");
    Commands.require("npm", "installing a Node.js test program's packages");
    Files.createDirectories(target);
    for (String file : files) {
      Files.copy(sources.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    for (String file : List.of("package.json", "package-lock.json")) {
      Files.copy(sources.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    // --ignore-scripts: a dependency's install script could phone home; the packages tests use
    // (grpc-js, proto-loader, the AsyncAPI parser) need none.
    Commands.Result npm = Commands.run(target, Duration.ofMinutes(5), Map.of(),
        List.of("npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"));
    if (npm.exit() != 0) {
      fail("npm install in " + target + " failed (" + npm.exit() + "):\n" + npm.output());
    }
    INSTALLED.add(target);
    return target;
  }
}
