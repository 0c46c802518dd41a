package io.grpcmqtt.codegen;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the real protoc binary (copied from Maven Central into target/protoc by the build) with
 * protoc-gen-grpc-mqtt as its plugin.
 */
final class Protoc {
  /** What protoc did. */
  record Result(int exitCode, String stderr, Path out) {
    /** Every file written below {@link #out}, by relative path. */
    List<Path> files() throws IOException {
      try (Stream<Path> walk = Files.walk(out)) {
        return walk.filter(Files::isRegularFile).map(out::relativize).sorted().toList();
      }
    }

    String read(String relative) throws IOException {
      return Files.readString(out.resolve(relative));
    }
  }

  private static final String[] IMPORTS = {
      "google/protobuf/descriptor.proto", "google/protobuf/duration.proto", "grpcmqtt/options.proto"};

  private Protoc() {}

  static Path binary() {
    Path protoc = Paths.get(System.getProperty("protoc.path"));
    if (!Files.isExecutable(protoc)) {
      // maven-dependency-plugin copies the file without its executable bit.
      protoc.toFile().setExecutable(true);
    }
    return protoc;
  }

  /**
   * A launcher that runs the plugin from this test's class path, so tests need no packaged jar.
   */
  static Path classPathLauncher(Path dir) throws IOException {
    Path script = dir.resolve("protoc-gen-grpc-mqtt");
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Files.writeString(script, "#!/bin/sh\nexec '" + java + "' -cp '"
        + System.getProperty("java.class.path") + "' " + ProtocPlugin.class.getName() + " \"$@\"\n");
    script.toFile().setExecutable(true);
    return script;
  }

  /** The .proto files protoc needs to import, from the class path (protobuf-java, grpc-mqtt-proto). */
  static Path imports(Path dir) throws IOException {
    Path root = dir.resolve("imports");
    for (String name : IMPORTS) {
      Path target = root.resolve(name);
      Files.createDirectories(target.getParent());
      try (InputStream in = Protoc.class.getClassLoader().getResourceAsStream(name)) {
        Files.copy(in, target);
      }
    }
    return root;
  }

  static Result run(Path work, Path plugin, Map<String, String> env, String parameter,
      Path protoRoot, String... files) throws IOException, InterruptedException {
    Path out = Files.createDirectories(work.resolve("out-" + System.nanoTime()));
    Path imports = Files.isDirectory(work.resolve("imports")) ? work.resolve("imports") : imports(work);
    List<String> command = new ArrayList<>(List.of(binary().toString(),
        "--plugin=protoc-gen-grpc-mqtt=" + plugin,
        "--grpc-mqtt_out=" + (parameter.isEmpty() ? "" : parameter + ":") + out,
        "-I" + protoRoot, "-I" + imports));
    command.addAll(List.of(files));
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(env);
    Process process = builder.start();
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("protoc did not finish within 120 s");
    }
    return new Result(process.exitValue(), stderr, out);
  }
}
