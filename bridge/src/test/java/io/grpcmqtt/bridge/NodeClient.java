package io.grpcmqtt.bridge;

import io.grpcmqtt.testing.NodeProject;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The Node.js client of the interop test, installed with npm into {@code target/node} (see {@link
 * NodeProject}: skipped without node and npm, failed under CI).
 */
final class NodeClient {
  private static final Path DIR = Paths.get(System.getProperty("bridge.node.dir", "target/node"));
  private static final Path SOURCES =
      Paths.get(System.getProperty("bridge.node.sources", "src/test/node"));
  /** The include directory the client loads echo.proto from. */
  static final Path PROTOS =
      Paths.get(System.getProperty("bridge.test.protos", "src/test/protobuf")).toAbsolutePath();

  private NodeClient() {}

  /** The directory holding client.js and its node_modules; installs them on first use. */
  static Path install() throws IOException, InterruptedException {
    return NodeProject.install(SOURCES, DIR, List.of("client.js"));
  }
}
