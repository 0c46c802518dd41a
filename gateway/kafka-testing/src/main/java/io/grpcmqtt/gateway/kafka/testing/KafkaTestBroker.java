package io.grpcmqtt.gateway.kafka.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, broker and controller in one process), started from Apache
 * Kafka's own Maven artifacts as a JVM of its own ({@code kafka.Kafka}), bound to 127.0.0.1 on two
 * free ports, its log dirs and its log file ({@code broker.log}) under a folder the test names
 * (under {@code target/}). No Docker, nothing installed.
 *
 * <p>{@link #stop()} and {@link #start()} stop and start the same broker on the same ports and log
 * dirs, as a Kafka outage an operator fixes would. Start one per test class: a start takes a few
 * seconds.
 *
 * <pre>{@code
 * try (KafkaTestBroker kafka = KafkaTestBroker.start(Path.of("target", "kafka", "MyTest"))) {
 *   producerProps.put("bootstrap.servers", kafka.bootstrap());
 * }
 * }</pre>
 */
public final class KafkaTestBroker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaTestBroker.class);
  private static final String HOST = "127.0.0.1";
  private static final long START_TIMEOUT_MILLIS = 120_000;

  private final Path dir;
  private final int port;
  private final int controllerPort;
  private final String classpath;
  private Process process;

  private KafkaTestBroker(Path dir, int port, int controllerPort, String classpath) {
    this.dir = dir;
    this.port = port;
    this.controllerPort = controllerPort;
    this.classpath = classpath;
  }

  /**
   * Formats a new single-node cluster in {@code dir} (emptied first) and starts it; returns once
   * it answers an Admin client (at most 2 minutes).
   */
  public static KafkaTestBroker start(Path dir) throws IOException, InterruptedException {
    deleteRecursively(dir);
    Files.createDirectories(dir);
    KafkaTestBroker broker = new KafkaTestBroker(dir.toAbsolutePath(), freePort(), freePort(), classpath());
    broker.writeConfig();
    broker.format();
    broker.start();
    return broker;
  }

  /** The class path of a Kafka broker and its tools (kafka_2.13, kafka-tools, a logging backend). */
  public static String classpath() {
    try (InputStream in = KafkaTestBroker.class.getResourceAsStream("broker.classpath")) {
      if (in == null) {
        throw new IllegalStateException("broker.classpath is missing: build grpc-mqtt-gateway-kafka-testing with Maven");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
  public String bootstrap() {
    return HOST + ":" + port;
  }

  /** The broker's own log file. */
  public Path logFile() {
    return dir.resolve("broker.log");
  }

  /** Creates topics (1 partition unless given, replication 1) and waits until they exist. */
  public void createTopic(String name, int partitions) {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + name + ": " + e, e);
    }
  }

  /** An Admin client on this broker (the caller closes it). */
  public Admin admin() {
    return Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
  }

  /** Whether the broker process runs. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Starts the broker (again) on the same ports and log dirs; returns once it answers. */
  public synchronized void start() throws IOException, InterruptedException {
    if (isRunning()) {
      return;
    }
    long t0 = System.nanoTime();
    process = java(List.of("kafka.Kafka", dir.resolve("server.properties").toString()), "broker.out");
    awaitReady();
    log.info("Kafka broker on {} ready in {} ms ({})", bootstrap(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), dir);
  }

  /** Stops the broker cleanly (SIGTERM; SIGKILL after 60 s); its data stays for {@link #start()}. */
  public synchronized void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    process = null;
    log.info("Kafka broker on {} stopped", bootstrap());
  }

  /** Stops the broker and deletes its log dirs (the log files stay, for a failed test's reader). */
  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      synchronized (this) {
        if (process != null) {
          process.destroyForcibly();
        }
      }
    }
    deleteRecursively(dir.resolve("data"));
  }

  private void writeConfig() throws IOException {
    String config = String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@" + HOST + ":" + controllerPort,
        "listeners=PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort,
        "advertised.listeners=PLAINTEXT://" + HOST + ":" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + dir.resolve("data"),
        // One node: every internal topic has one replica; one partition each starts faster than 50.
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "share.coordinator.state.topic.num.partitions=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=true",
        "");
    Files.writeString(dir.resolve("server.properties"), config);
    Files.writeString(dir.resolve("logback.xml"), """
        <configuration>
          <appender name="FILE" class="ch.qos.logback.core.FileAppender">
            <file>%s</file>
            <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level [%%thread] %%logger{36} - %%msg%%n</pattern></encoder>
          </appender>
          <logger name="kafka" level="INFO"/>
          <logger name="org.apache.kafka" level="WARN"/>
          <root level="INFO"><appender-ref ref="FILE"/></root>
        </configuration>
        """.formatted(logFile()));
  }

  private void format() throws IOException, InterruptedException {
    String clusterId = clusterId();
    Process p = java(List.of("kafka.tools.StorageTool", "format", "-t", clusterId,
        "-c", dir.resolve("server.properties").toString()), "format.out");
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("kafka-storage format failed:\n" + Files.readString(dir.resolve("format.out")));
    }
  }

  private Process java(List<String> args, String outputFile) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dlogback.configurationFile=" + dir.resolve("logback.xml"),
        "-cp", classpath));
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(outputFile).toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
    Exception last = null;
    try (Admin admin = admin()) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IOException("the Kafka broker exited with " + process.exitValue() + "; see " + logFile()
              + " and " + dir.resolve("broker.out"));
        }
        try {
          if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          last = e;
        }
        Thread.sleep(200);
      }
    }
    process.destroyForcibly();
    throw new IOException("the Kafka broker did not answer within " + START_TIMEOUT_MILLIS + " ms (" + last
        + "); see " + logFile());
  }

  /**
   * A cluster id as {@code kafka-storage random-uuid} makes it. Kafka's own {@link Uuid#randomUuid}
   * never returns one starting with '-': a base64url id does once in 64, and the storage tool's
   * argument parser then reads it as an option ("--cluster-id: expected one argument").
   */
  private static String clusterId() {
    return Uuid.randomUuid().toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
      return s.getLocalPort();
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Best effort: a leftover folder under target/ is not worth failing over.
    }
  }
}
