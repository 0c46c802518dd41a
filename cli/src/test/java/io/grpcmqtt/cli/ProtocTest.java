package io.grpcmqtt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.RuntimeVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the tool finds protoc in a Maven repository. */
class ProtocTest {
  private static final String OWN = RuntimeVersion.MAJOR + "." + RuntimeVersion.MINOR + "." + RuntimeVersion.PATCH;

  @Test
  void prefersItsOwnVersionThenTheNewest(@TempDir Path repo) throws Exception {
    assertEquals(Optional.empty(), Protoc.inMavenRepository(repo));
    Path newer = fake(repo, "9.99.0");
    fake(repo, "3.25.1");
    assertEquals(Optional.of(newer), Protoc.inMavenRepository(repo));
    Path own = fake(repo, OWN);
    assertEquals(Optional.of(own), Protoc.inMavenRepository(repo));
  }

  @Test
  void versionsCompareNumerically() {
    assertTrue(Protoc.compareVersions("4.33.5", "4.9.0") > 0);
    assertTrue(Protoc.compareVersions("3.25.1", "4.0.0") < 0);
    assertEquals(0, Protoc.compareVersions("4.33.5", "4.33.5"));
  }

  private static Path fake(Path repo, String version) throws Exception {
    String os = System.getProperty("os.name").toLowerCase().startsWith("linux") ? "linux" : "osx";
    String arch = System.getProperty("os.arch").contains("64") && !System.getProperty("os.arch").contains("aarch")
        ? "x86_64" : "aarch_64";
    Path dir = Files.createDirectories(repo.resolve("com/google/protobuf/protoc/" + version));
    return Files.createFile(dir.resolve("protoc-" + version + "-" + os + "-" + arch + ".exe"));
  }
}
