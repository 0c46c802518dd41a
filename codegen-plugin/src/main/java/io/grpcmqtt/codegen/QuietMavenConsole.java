package io.grpcmqtt.codegen;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The console of a quiet Maven build ({@code mvn -q}) that runs this plugin, so invalid options
 * are not reported into the void.
 *
 * <p>protoc prints a plugin's error on its stderr, and protobuf-maven-plugin logs every line of
 * protoc's stderr as a WARNING, which {@code -q} hides: the build then ends in "PROTOC FAILED ...
 * Check the build logs above" with nothing above. Under {@code -q} the plugin therefore also
 * writes its error, as {@code [ERROR]} lines, to the standard output of the Maven process (where
 * Maven prints its own errors): the first JVM among its ancestor processes, if that JVM runs
 * Maven's launcher (so a test JVM that runs protoc, itself forked by Maven, is left alone).
 * Without {@code -q} the WARNING is visible and nothing is added. Works where {@code
 * /proc/<pid>/fd} exists (Linux), for output to a terminal, a pipe or a file Maven appends to;
 * elsewhere it does nothing.
 */
final class QuietMavenConsole {
  /** Maven 3's (and 4's) main class: how the Maven process is told from protoc and shells. */
  private static final String MAVEN_LAUNCHER = "org.codehaus.plexus.classworlds.launcher.Launcher";
  /** How far up the process tree Maven may be: plugin, launcher script, protoc, Maven. */
  private static final int MAX_ANCESTORS = 5;
  /** Linux's open(2) flag, as /proc/PID/fdinfo shows it in octal. */
  private static final int O_APPEND = 02000;

  private final Path stdout;

  private QuietMavenConsole(Path stdout) {
    this.stdout = stdout;
  }

  /**
   * The console of the Maven build running this process, if that build is quiet.
   *
   * @param env the environment: Maven's launcher script exports its command line as {@code
   *     MAVEN_CMD_LINE_ARGS} (and Maven 3.9 reads {@code MAVEN_ARGS}), and protoc passes both on
   */
  static Optional<QuietMavenConsole> of(Map<String, String> env, ProcessHandle self) {
    if (!isQuiet(env.get("MAVEN_CMD_LINE_ARGS")) && !isQuiet(env.get("MAVEN_ARGS"))) {
      return Optional.empty();
    }
    Optional<ProcessHandle> ancestor = self.parent();
    for (int i = 0; i < MAX_ANCESTORS && ancestor.isPresent(); i++) {
      ProcessHandle process = ancestor.get();
      if (isMaven(process)) {
        Path proc = Path.of("/proc", Long.toString(process.pid()));
        Path stdout = proc.resolve("fd/1");
        return Files.isWritable(stdout) && isShared(stdout, proc.resolve("fdinfo/1"))
            ? Optional.of(new QuietMavenConsole(stdout))
            : Optional.empty();
      }
      if (isJava(process)) {
        return Optional.empty();
      }
      ancestor = process.parent();
    }
    return Optional.empty();
  }

  /** True if Maven's command line {@code args} asks for quiet output ({@code -q, --quiet}). */
  static boolean isQuiet(String args) {
    if (args == null) {
      return false;
    }
    List<String> tokens = Arrays.asList(args.trim().split("\\s+"));
    return tokens.contains("-q") || tokens.contains("--quiet");
  }

  private static boolean isMaven(ProcessHandle process) {
    return process.info().arguments()
        .map(args -> Arrays.asList(args).contains(MAVEN_LAUNCHER))
        .orElse(false);
  }

  /**
   * True if what is written to {@code fd} lands after what Maven wrote and before what it writes
   * next: a pipe or a terminal; a regular file only if Maven appends to it ({@code >>}), because
   * opening it again gives a write position of its own, and Maven would write over the text.
   */
  private static boolean isShared(Path fd, Path fdinfo) {
    if (!Files.isRegularFile(fd)) {
      return true;
    }
    try {
      for (String line : Files.readAllLines(fdinfo)) {
        if (line.startsWith("flags:")) {
          return (Integer.parseInt(line.substring("flags:".length()).trim(), 8) & O_APPEND) != 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Unknown: leave the file alone.
    }
    return false;
  }

  private static boolean isJava(ProcessHandle process) {
    return process.info().command()
        .map(command -> Path.of(command).getFileName().toString().startsWith("java"))
        .orElse(false);
  }

  /** Writes {@code message} as Maven error lines, in one write so no other output splits it. */
  void printError(String message) {
    StringBuilder lines = new StringBuilder();
    for (String line : message.split("\n")) {
      lines.append("[ERROR] protoc-gen-grpc-mqtt: ").append(line).append('\n');
    }
    // APPEND: where Maven writes to a file, write at its end instead of over its start.
    try (OutputStream out = Files.newOutputStream(stdout, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      // The error still reaches protoc through the response; this copy is a courtesy.
    }
  }
}
