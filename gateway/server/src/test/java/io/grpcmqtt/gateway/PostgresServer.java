package io.grpcmqtt.gateway;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL cluster for tests: {@code initdb} into a temporary folder, then the
 * {@code postgres} server on 127.0.0.1 and a free port, from Debian's packages
 * ({@code /usr/lib/postgresql/<version>/bin}). As root it runs as the {@code postgres} user
 * ({@code runuser}), since PostgreSQL refuses to run as root. Durability settings are off: it is
 * the Gateway, not the database, that these tests crash.
 *
 * <p>One per test JVM ({@link #shared()}), stopped by a shutdown hook. Each store under test gets a
 * schema of its own ({@link #newSchemaUrl()}). Without PostgreSQL installed, tests that need it are
 * skipped with the reason — or fail under {@code CI=true}, where {@code .ci/run} installs it.
 */
final class PostgresServer {
  private static final String USER = "gateway";
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static PostgresServer shared;
  private static RuntimeException sharedFailure;

  private final Path dir;
  private final Path data;
  private final Path bin;
  private final List<String> asUser;
  private final int port;
  private final Process process;

  private PostgresServer(Path bin) throws IOException, InterruptedException {
    this.bin = bin;
    this.dir = Files.createTempDirectory("grpc-mqtt-pg-");
    this.data = dir.resolve("data");
    boolean root = "root".equals(System.getProperty("user.name"));
    this.asUser = root ? List.of("runuser", "-u", "postgres", "--") : List.of();
    if (root) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
    }
    run(command(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust",
        "-E", "UTF8", "--no-sync", "--no-instructions"));
    this.port = freePort();
    this.process = new ProcessBuilder(command(bin.resolve("postgres").toString(), "-D", data.toString(),
        "-p", Integer.toString(port), "-c", "listen_addresses=127.0.0.1",
        "-c", "unix_socket_directories=" + dir, "-c", "fsync=off", "-c", "synchronous_commit=off",
        "-c", "full_page_writes=off", "-c", "max_connections=200"))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("postgres.log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    awaitAccepting();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "postgres-" + port + "-shutdown"));
  }

  /** The JVM's PostgreSQL, started on first use; aborts (or, under CI, fails) the test without one. */
  static synchronized PostgresServer shared() {
    if (shared != null) {
      return shared;
    }
    if (sharedFailure != null) {
      throw sharedFailure;
    }
    Path bin = findBin().orElse(null);
    if (bin == null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        sharedFailure = new IllegalStateException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres); .ci/run installs it");
        throw sharedFailure;
      }
      Assumptions.abort("PostgreSQL not installed (apt-get install postgresql): skipping the PostgreSQL store");
    }
    try {
      shared = new PostgresServer(bin);
      return shared;
    } catch (IOException | InterruptedException | RuntimeException e) {
      sharedFailure = new IllegalStateException("cannot start a PostgreSQL test cluster: " + e.getMessage(), e);
      throw sharedFailure;
    }
  }

  /** A JDBC URL whose tables live in a new, empty schema. */
  String newSchemaUrl() {
    String schema = "gw" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url(null));
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create schema " + schema, e);
    }
    return url(schema);
  }

  private String url(String schema) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + USER
        + (schema == null ? "" : "&currentSchema=" + schema);
  }

  private static Optional<Path> findBin() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparingInt(PostgresServer::majorVersion));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private List<String> command(String... args) {
    List<String> c = new ArrayList<>(asUser);
    c.addAll(List.of(args));
    return c;
  }

  private void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed:\n" + output);
    }
  }

  private void awaitAccepting() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("postgres exited with " + process.exitValue() + ":\n" + log());
      }
      try (Connection c = DriverManager.getConnection(url(null))) {
        if (c.isValid(5)) {
          return;
        }
      } catch (SQLException e) {
        last = e;
      }
      Thread.sleep(100);
    }
    stop();
    throw new IOException("postgres did not accept connections on port " + port + " within 30 s ("
        + last + "):\n" + log());
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("postgres.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void stop() {
    try {
      // Fast shutdown: disconnects clients (the stores under test may still hold connections).
      Process p = new ProcessBuilder(command(bin.resolve("pg_ctl").toString(), "-D", data.toString(),
          "-m", "fast", "-w", "-t", "10", "stop")).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(15, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      // Fall through to the kill below.
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    deleteRecursively(dir);
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Best effort: a leftover temporary folder is not worth failing over.
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return s.getLocalPort();
    }
  }
}
