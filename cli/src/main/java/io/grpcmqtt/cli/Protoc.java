package io.grpcmqtt.cli;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import com.google.protobuf.RuntimeVersion;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;

/**
 * Finds and runs {@code protoc} to turn .proto files into a descriptor set.
 *
 * <p>Looked for, in order: {@code --protoc}, the {@code PROTOC} environment variable, {@code
 * protoc} on {@code PATH}, and the {@code com.google.protobuf:protoc} executable that Maven builds
 * (such as grpc-mqtt's own) leave in the local repository — the one matching the protobuf-java
 * version of this tool first, else the newest. The well-known types ({@code google/protobuf/*.proto})
 * are supplied from protobuf-java, since a bare protoc executable comes without them, and so is
 * grpc-mqtt's {@code grpcmqtt/options.proto}, so that mapped services compile without an import
 * path for it.
 */
final class Protoc {
  private static final List<String> BUNDLED =
      List.of("google/protobuf/any.proto", "google/protobuf/api.proto",
          "google/protobuf/descriptor.proto", "google/protobuf/duration.proto",
          "google/protobuf/empty.proto", "google/protobuf/field_mask.proto",
          "google/protobuf/source_context.proto", "google/protobuf/struct.proto",
          "google/protobuf/timestamp.proto", "google/protobuf/type.proto",
          "google/protobuf/wrappers.proto", "grpcmqtt/options.proto");

  private Protoc() {}

  /** The protoc to run; a {@link CliException} says where it looked and what to do instead. */
  static Path find(@Nullable Path explicit) throws CliException {
    if (explicit != null) {
      if (!Files.isRegularFile(explicit) || !Files.isExecutable(explicit)) {
        throw new CliException("--protoc " + explicit + " is not an executable file");
      }
      return explicit;
    }
    String env = System.getenv("PROTOC");
    if (env != null && !env.isEmpty()) {
      Path path = Paths.get(env);
      if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
        throw new CliException("PROTOC=" + env + " is not an executable file");
      }
      return path;
    }
    Optional<Path> onPath = onPath();
    if (onPath.isPresent()) {
      return onPath.get();
    }
    Path repository = mavenRepository();
    Optional<Path> fromMaven = inMavenRepository(repository);
    if (fromMaven.isPresent()) {
      return executable(fromMaven.get());
    }
    throw new CliException(
        "protoc not found (looked at --protoc, $PROTOC, PATH and com.google.protobuf:protoc in "
            + repository + "). Install it (Debian: apt-get install protobuf-compiler), pass"
            + " --protoc PATH, or use a descriptor set instead of --proto: protoc --include_imports"
            + " --descriptor_set_out=api.pb -I DIR api.proto, then --descriptor-set api.pb");
  }

  /**
   * Compiles {@code protos} into a descriptor set (with imports) in a new temporary directory;
   * the caller deletes that directory.
   */
  static Path compile(Path protoc, List<Path> protos, List<Path> importPaths) throws CliException {
    for (Path proto : protos) {
      if (!Files.isRegularFile(proto)) {
        throw new CliException("--proto " + proto + " does not exist");
      }
    }
    for (Path dir : importPaths) {
      if (!Files.isDirectory(dir)) {
        throw new CliException("--import-path " + dir + " is not a directory");
      }
    }
    Path work;
    try {
      work = Files.createTempDirectory("grpc-mqtt-protoc");
    } catch (IOException e) {
      throw new CliException("cannot create a temporary directory: " + e.getMessage(), e);
    }
    try {
      Path out = work.resolve("descriptors.pb");
      List<String> command = new ArrayList<>();
      command.add(protoc.toString());
      command.add("--include_imports");
      command.add("--descriptor_set_out=" + out);
      List<String> files = new ArrayList<>();
      Set<String> includes = new LinkedHashSet<>();
      if (importPaths.isEmpty()) {
        // Each file is then found as its own name in its own directory.
        for (Path proto : protos) {
          Path abs = proto.toAbsolutePath().normalize();
          includes.add(abs.getParent().toString());
          files.add(abs.getFileName().toString());
        }
      } else {
        for (Path dir : importPaths) {
          includes.add(dir.toString());
        }
        for (Path proto : protos) {
          files.add(proto.toString());
        }
      }
      // Last, so the caller's own copies of these files win.
      includes.add(extractBundled(work.resolve("include")).toString());
      for (String include : includes) {
        command.add("-I" + include);
      }
      command.addAll(files);
      run(command, work);
      return out;
    } catch (CliException | RuntimeException e) {
      deleteQuietly(work);
      throw e;
    }
  }

  private static void run(List<String> command, Path work) throws CliException {
    Path log = work.resolve("protoc.log");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File(nullDevice())))
              .start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new CliException("protoc did not finish within 120 s: " + String.join(" ", command));
      }
      if (process.exitValue() != 0) {
        throw new CliException(
            "protoc failed (exit " + process.exitValue() + "):\n"
                + Files.readString(log, StandardCharsets.UTF_8).strip());
      }
    } catch (IOException e) {
      throw new CliException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while protoc ran", e);
    }
  }

  private static String nullDevice() {
    return System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows") ? "NUL" : "/dev/null";
  }

  private static Path extractBundled(Path include) throws CliException {
    try {
      for (String resource : BUNDLED) {
        try (InputStream in = Protoc.class.getClassLoader().getResourceAsStream(resource)) {
          if (in != null) {
            Path file = include.resolve(resource);
            Files.createDirectories(file.getParent());
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    } catch (IOException e) {
      throw new CliException("cannot write the bundled .proto files: " + e.getMessage(), e);
    }
    return include;
  }

  private static Optional<Path> onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Paths.get(dir, "protoc");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  static Path mavenRepository() {
    String configured = System.getProperty("maven.repo.local");
    if (configured != null && !configured.isEmpty()) {
      return Paths.get(configured);
    }
    return Paths.get(System.getProperty("user.home"), ".m2", "repository");
  }

  /** {@code com/google/protobuf/protoc/{v}/protoc-{v}-{os}-{arch}.exe}, this tool's version first. */
  static Optional<Path> inMavenRepository(Path repository) {
    Path base = repository.resolve("com/google/protobuf/protoc");
    String classifier = classifier();
    if (classifier == null || !Files.isDirectory(base)) {
      return Optional.empty();
    }
    String own = RuntimeVersion.MAJOR + "." + RuntimeVersion.MINOR + "." + RuntimeVersion.PATCH;
    List<String> versions = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base)) {
      for (Path dir : dirs) {
        versions.add(dir.getFileName().toString());
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    Comparator<String> newestFirst = (a, b) -> compareVersions(b, a);
    versions.sort(Comparator.comparing((String v) -> !v.equals(own)).thenComparing(newestFirst));
    for (String version : versions) {
      Path exe = base.resolve(version).resolve("protoc-" + version + "-" + classifier + ".exe");
      if (Files.isRegularFile(exe)) {
        return Optional.of(exe);
      }
    }
    return Optional.empty();
  }

  /** Compares dotted versions numerically where both parts are numbers. */
  static int compareVersions(String a, String b) {
    String[] x = a.split("[.-]");
    String[] y = b.split("[.-]");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c;
      try {
        c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
      } catch (NumberFormatException e) {
        c = x[i].compareTo(y[i]);
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  @Nullable
  private static String classifier() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String osPart = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "osx"
        : os.startsWith("windows") ? "windows" : null;
    String archPart = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
        : arch.equals("aarch64") || arch.equals("arm64") ? "aarch_64" : null;
    return osPart == null || archPart == null ? null : osPart + "-" + archPart;
  }

  /** Maven does not always keep the executable bit: run a copy that has it. */
  private static Path executable(Path exe) throws CliException {
    if (Files.isExecutable(exe)) {
      return exe;
    }
    try {
      Path copy = Files.createTempFile("protoc", ".exe");
      Files.copy(exe, copy, StandardCopyOption.REPLACE_EXISTING);
      if (!copy.toFile().setExecutable(true, true)) {
        throw new CliException("cannot make a copy of " + exe + " executable");
      }
      copy.toFile().deleteOnExit();
      return copy;
    } catch (IOException e) {
      throw new CliException("cannot copy " + exe + ": " + e.getMessage(), e);
    }
  }

  static void deleteQuietly(Path dir) {
    try {
      MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
    } catch (IOException e) {
      // A leftover temporary directory is harmless.
    }
  }
}
