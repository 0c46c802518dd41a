package io.grpcmqtt.bench;

import com.google.common.base.CharMatcher;
import com.google.common.base.Splitter;
import io.grpc.Server;
import io.grpcmqtt.mqtt.MqttClientLibrary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of {@code --separate} in a second JVM: the grpc-mqtt server (topic prefix =
 * the run id), and for each floor library a responder (the unary floor) and a subscriber (the
 * receiving end of the publish floor), so that requester and responder, channel and server,
 * publisher and subscriber sit in different processes as they are deployed. What the child's
 * Sink calls and subscribers receive, it counts into {@link SharedCounters} the bench reads. The
 * child runs this class's {@link #main} ({@code java -cp <this class path>
 * io.grpcmqtt.bench.ServerProcess ...}), says {@code ready} on its stdout once everything is
 * subscribed and ends when its stdin closes. Until then its stdin and stdout are a control
 * channel: to the line {@code jit} it answers {@code jit MILLIS}, its JIT's compile time so far
 * ({@link #jitMillis}), so that the bench can warm this JVM too until its JIT is quiet.
 */
final class ServerProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerProcess.class);
  private static final String READY = "ready";
  private static final String JIT = "jit";

  final String runId = "bench-" + UUID.randomUUID().toString().substring(0, 8);
  private final Path countersFile;
  private final SharedCounters counters;
  private final Process process;
  private final BufferedReader fromChild;
  private final Writer toChild;

  /** Starts the child for {@code floors} on {@code uri} at {@code qos} and waits until it is ready. */
  ServerProcess(String uri, int qos, List<RawMqtt.Library> floors)
      throws IOException, InterruptedException {
    this(uri, qos, floors, List.of());
  }

  /** With the responders of the contract floors {@code wireImpls} ({@link WireContract}) too. */
  ServerProcess(String uri, int qos, List<RawMqtt.Library> floors, List<String> wireImpls)
      throws IOException, InterruptedException {
    countersFile = Files.createTempFile("grpc-mqtt-bench-counters", ".bin");
    counters = SharedCounters.map(countersFile);
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    String library = System.getProperty(MqttClientLibrary.PROPERTY);
    if (library != null) {
      cmd.add("-D" + MqttClientLibrary.PROPERTY + "=" + library);
    }
    String jvmArgs = System.getProperty("bench.serverJvmArgs");
    if (jvmArgs != null && !jvmArgs.isBlank()) {
      Splitter.on(CharMatcher.whitespace()).omitEmptyStrings().split(jvmArgs).forEach(cmd::add);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        ServerProcess.class.getName(), uri, Integer.toString(qos), runId,
        countersFile.toString()));
    for (RawMqtt.Library l : floors) {
      cmd.add(l.name());
    }
    cmd.addAll(wireImpls);
    log.info("starting the server process: {}", cmd);
    process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    fromChild = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    toChild = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    // readLine blocks: a child that neither says ready nor dies within 60 s is killed, which
    // ends its stdout.
    CountDownLatch started = new CountDownLatch(1);
    Thread watchdog = new Thread(() -> {
      try {
        if (!started.await(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "server-process-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    String line;
    while ((line = fromChild.readLine()) != null && !line.equals(READY)) {
      log.info("server process: {}", line);
    }
    started.countDown();
    if (!READY.equals(line)) {
      process.destroyForcibly();
      Files.deleteIfExists(countersFile);
      throw new IOException("the server process did not start (exit "
          + (process.isAlive() ? "-" : process.exitValue()) + ")");
    }
  }

  /**
   * The child's JIT compile time so far (ms), asked over its stdin; {@code -1} if it does not
   * measure it or has ended.
   */
  synchronized long jitMillis() {
    try {
      toChild.write(JIT + "\n");
      toChild.flush();
      String line;
      while ((line = fromChild.readLine()) != null) {
        if (line.startsWith(JIT + " ")) {
          return Long.parseLong(line.substring(JIT.length() + 1).trim());
        }
        log.info("server process: {}", line);
      }
    } catch (IOException | NumberFormatException e) {
      log.warn("server process: no compile time: {}", e.toString());
    }
    return -1;
  }

  /** Messages the child's Sink calls have received so far. */
  long sinkReceived() {
    return counters.get(SharedCounters.SINK);
  }

  /** Messages the child's subscriber of {@code library} has received on {@link #streamTopic}. */
  long pubSubReceived(RawMqtt.Library library) {
    return counters.get(SharedCounters.pubSub(library));
  }

  /** The topic the child's subscriber of {@code library} counts the messages of. */
  String streamTopic(RawMqtt.Library library) {
    return streamTopic(library, runId);
  }

  private static String streamTopic(RawMqtt.Library library, String runId) {
    return "bench/raw/" + runId + "-" + library.name().toLowerCase(Locale.ROOT) + "/stream";
  }

  @Override
  public void close() throws InterruptedException {
    try {
      toChild.close();
    } catch (IOException e) {
      // it is going either way
    }
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
    try {
      Files.deleteIfExists(countersFile);
    } catch (IOException e) {
      log.warn("could not delete {}: {}", countersFile, e.toString());
    }
  }

  /** The child: {@code URI QOS RUN_ID COUNTERS_FILE [PAHO|HIVEMQ ...] [floor-wire... ...]}. */
  public static void main(String[] args) throws Exception {
    String uri = args[0];
    int qos = Integer.parseInt(args[1]);
    String runId = args[2];
    SharedCounters counters = SharedCounters.map(Path.of(args[3]));
    List<RawMqtt> clients = new ArrayList<>();
    Server server = GrpcEndpoint.mqttServer(uri, qos, runId, false,
        new BenchService(() -> counters.increment(SharedCounters.SINK)));
    try {
      for (int i = 4; i < args.length; i++) {
        WireContract wire = WireContract.ofImpl(args[i], runId);
        if (wire != null) {
          clients.add(wire.responder(uri, qos));
          continue;
        }
        RawMqtt.Library l = RawMqtt.Library.valueOf(args[i]);
        clients.add(RawRequestResponse.responder(l, uri, qos,
            RawRequestResponse.requestTopic(l, runId)));
        RawMqtt subscriber = l.connect(uri, "sub");
        clients.add(subscriber);
        int slot = SharedCounters.pubSub(l);
        subscriber.subscribe(streamTopic(l, runId), qos, m -> counters.increment(slot));
      }
      System.out.println(READY);
      System.out.flush();
      // Until the parent closes our stdin (or dies).
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals(JIT)) {
          System.out.println(JIT + " " + JitTime.localMillis());
          System.out.flush();
        }
      }
    } finally {
      clients.forEach(RawMqtt::close);
      server.shutdownNow();
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
    System.exit(0);
  }
}
