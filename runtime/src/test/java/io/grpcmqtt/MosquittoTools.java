package io.grpcmqtt;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Finds the mosquitto client binaries; in CI their absence fails the test instead of skipping. */
final class MosquittoTools {
  private MosquittoTools() {}

  static String binary(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(name + " not installed; .ci/run installs mosquitto-clients");
    }
    Assumptions.abort(name + " not installed (apt-get install mosquitto-clients)");
    return null;
  }
}
