package io.grpcmqtt.gateway;

import io.grpcmqtt.testing.Executables;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real command-line tools the device tests run: mosquitto clients, protoc, gcc. A missing tool
 * skips the test with the reason, except under {@code CI=true}, where it fails.
 */
final class Tools {
  private Tools() {}

  /** The output and exit status of a finished command. */
  record Run(int exit, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  /** {@code name} on the PATH; {@code aptPackage} is named in the skip or failure message. */
  static String binary(String name, String aptPackage) {
    return Executables.require(name, aptPackage).toString();
  }

  /** The protoc the build copied from Maven Central into target/tools. */
  static String protoc() {
    Path protoc = Path.of(System.getProperty("gateway.test.protoc", "target/tools/protoc"));
    if (!Files.exists(protoc)) {
      throw new IllegalStateException(protoc + " is missing: run the tests through Maven (it copies protoc there)");
    }
    protoc.toFile().setExecutable(true);
    return protoc.toString();
  }

  /** A header the C device program includes. */
  static void requireHeader(String path, String aptPackage) {
    if (!Files.exists(Path.of(path))) {
      missing(path + " not found (apt-get install " + aptPackage + ")");
    }
  }

  static <T> T missing(String reason) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(reason + "; .ci/run must install it");
    }
    Assumptions.abort(reason + ": skipping");
    return null;
  }

  /** Runs a command to completion (at most 60 s), feeding it {@code stdin}. */
  static Run run(List<String> command, byte[] stdin) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).start();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin);
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
    }
    return new Run(p.exitValue(), out.join(), new String(err.join(), StandardCharsets.UTF_8));
  }

  static Run run(List<String> command) throws IOException, InterruptedException {
    return run(command, new byte[0]);
  }

  static Run run(String... command) throws IOException, InterruptedException {
    return run(List.of(command), new byte[0]);
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toByteArray();
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
