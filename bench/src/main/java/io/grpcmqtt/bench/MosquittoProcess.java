package io.grpcmqtt.bench;

import com.google.common.base.Splitter;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Mosquitto process on 127.0.0.1 and a free port, with a generated configuration: TCP_NODELAY,
 * no persistence, and a receive maximum of 1000 (like the embedded HiveMQ) so that 32 concurrent
 * QoS 1 requests are not throttled by Mosquitto's default of 20 in-flight messages.
 */
final class MosquittoProcess implements BenchBroker {
  private static final Logger log = LoggerFactory.getLogger(MosquittoProcess.class);
  private static final long START_TIMEOUT_MS = 10_000;

  private final Process process;
  private final Path dir;
  private final int port;
  private final String version;
  private final Thread hook;

  private MosquittoProcess(Process process, Path dir, int port, String version) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.version = version;
    this.hook = new Thread(this::stopProcess, "mosquitto-" + port + "-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The mosquitto binary: {@code explicit}, else on the PATH, else /usr/sbin/mosquitto. */
  static Path find(String explicit) {
    if (explicit != null) {
      return Path.of(explicit);
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : Splitter.on(File.pathSeparatorChar).split(path)) {
        Path candidate = Path.of(entry, "mosquitto");
        if (!entry.isBlank() && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    Path sbin = Path.of("/usr/sbin/mosquitto");
    return Files.isExecutable(sbin) ? sbin : null;
  }

  static MosquittoProcess start(Path executable) throws IOException, InterruptedException {
    return start(executable, 0);
  }

  /** As {@link #start(Path)}; a positive {@code maxPacketSize} caps packets (max_packet_size). */
  static MosquittoProcess start(Path executable, int maxPacketSize)
      throws IOException, InterruptedException {
    int port = freePort();
    Path dir = Files.createTempDirectory("grpc-mqtt-bench-mosquitto-");
    Path conf = dir.resolve("mosquitto.conf");
    Files.writeString(conf, String.join("\n",
        "# Written by io.grpcmqtt.bench.MosquittoProcess",
        "listener " + port + " 127.0.0.1",
        "allow_anonymous true",
        "set_tcp_nodelay true",
        "max_inflight_messages 1000",
        "max_queued_messages 100000",
        "persistence false",
        "user " + System.getProperty("user.name"),
        "log_dest file " + dir.resolve("mosquitto.log"),
        "log_type error",
        "log_type warning",
        maxPacketSize > 0 ? "max_packet_size " + maxPacketSize : "",
        ""), StandardCharsets.UTF_8);
    Process p = new ProcessBuilder(executable.toString(), "-c", conf.toString())
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("mosquitto.out").toFile())
        .start();
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (!accepts(port)) {
      if (!p.isAlive() || System.currentTimeMillis() > deadline) {
        p.destroyForcibly();
        throw new IOException("mosquitto did not listen on 127.0.0.1:" + port + "; see "
            + dir.resolve("mosquitto.out"));
      }
      Thread.sleep(20);
    }
    MosquittoProcess broker = new MosquittoProcess(p, dir, port,
        versionOf(executable) + " (max_inflight_messages 1000, set_tcp_nodelay true"
            + (maxPacketSize > 0 ? ", max_packet_size " + maxPacketSize : "") + ")");
    log.info("started {} on {} (pid {})", broker.version, broker.uri(), p.pid());
    return broker;
  }

  private static String versionOf(Path executable) {
    try {
      Process p = new ProcessBuilder(executable.toString(), "-h").redirectErrorStream(true).start();
      String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
          .lines().findFirst().orElse("mosquitto (unknown version)");
      p.waitFor(5, TimeUnit.SECONDS);
      return first.trim();
    } catch (IOException e) {
      return "mosquitto (unknown version)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "mosquitto (unknown version)";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public String name() {
    return "mosquitto";
  }

  @Override
  public String uri() {
    return "tcp://127.0.0.1:" + port;
  }

  @Override
  public String version() {
    return version;
  }

  /** utime + stime of the process from /proc, or -1 where there is no /proc. */
  @Override
  public long cpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
      List<String> f = Splitter.on(' ').splitToList(stat.substring(stat.lastIndexOf(')') + 2));
      long ticks = Long.parseLong(f.get(11)) + Long.parseLong(f.get(12));
      return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private void stopProcess() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stopProcess();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    try {
      for (Path f : List.of(dir.resolve("mosquitto.conf"), dir.resolve("mosquitto.log"),
          dir.resolve("mosquitto.out"))) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
