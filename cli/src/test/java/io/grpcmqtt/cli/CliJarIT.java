package io.grpcmqtt.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.cli.test.v1.AddRequest;
import io.grpcmqtt.cli.test.v1.CountRequest;
import io.grpcmqtt.cli.test.v1.CounterGrpc;
import io.grpcmqtt.cli.test.v1.Number;
import io.grpcmqtt.testing.Brokers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as a user runs it: {@code java -jar grpc-mqtt.jar}, long-running commands
 * stopped with SIGTERM.
 */
class CliJarIT {
  private static final Path JAR = Paths.get(System.getProperty("cli.jar", "target/grpc-mqtt.jar"));
  private final List<Process> processes = new ArrayList<>();

  @TempDir Path logs;

  @AfterEach
  void killLeftovers() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
  }

  private Process start(String name, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
        JAR.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command)
        .redirectError(logs.resolve(name + ".err").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    processes.add(p);
    return p;
  }

  private String stderr(String name) throws IOException {
    return Files.readString(logs.resolve(name + ".err"));
  }

  /** SIGTERM, then the process must log its clean stop and exit. */
  private void terminate(Process p, String name, String stoppedLine) throws Exception {
    p.destroy();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), name + " did not exit after SIGTERM:\n" + stderr(name));
    assertTrue(stderr(name).contains(stoppedLine), name + " stderr:\n" + stderr(name));
  }

  @Test
  void brokerRunsUntilSigtermAndCallWorksAgainstIt() throws Exception {
    Process broker = start("broker", "broker", "--port", "0");
    BufferedReader out = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
    String uri = out.readLine();
    assertTrue(uri != null && uri.startsWith("tcp://127.0.0.1:"), uri + "\n" + stderr("broker"));

    Server server = MqttServerBuilder.forBroker(uri).addService(new CounterService().definition()).build().start();
    try {
      Process call = start("call", "call", "--broker", uri, "--proto", Cli.COUNTER_PROTO.toString(),
          "-I", Cli.PROTOS.toString(), Cli.COUNTER + "/CountTo", "-d", "{\"to\":2}");
      String printed = new String(call.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(call.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, call.exitValue(), stderr("call"));
      assertEquals("{\"value\":\"1\"}\n{\"value\":\"2\"}\n", printed);

      Process failing = start("failing", "call", "--broker", uri, "--proto", Cli.COUNTER_PROTO.toString(),
          "-I", Cli.PROTOS.toString(), Cli.COUNTER + "/Add", "-d", "{\"failCode\":7}");
      assertTrue(failing.waitFor(60, TimeUnit.SECONDS));
      assertEquals(7, failing.exitValue(), stderr("failing"));
    } finally {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    terminate(broker, "broker", "stopped MQTT broker on " + uri);
  }

  @Test
  void proxiesBridgeAPlainServerUntilSigterm() throws Exception {
    Server far = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
        .addService(new CounterService().definition()).build().start();
    int ingressPort = freePort();
    String prefix = "jar" + ProcessHandle.current().pid();
    String broker = Brokers.hivemq().uri();
    Process egress = start("egress", "proxy", "egress", "--target", "127.0.0.1:" + far.getPort(),
        "--broker", broker, "--prefix", prefix, "--service", Cli.COUNTER);
    Process ingress = start("ingress", "proxy", "ingress", "--listen", "127.0.0.1:" + ingressPort,
        "--broker", broker, "--prefix", prefix);
    ManagedChannel channel =
        Grpc.newChannelBuilder("127.0.0.1:" + ingressPort, InsecureChannelCredentials.create()).build();
    try {
      CounterGrpc.CounterBlockingStub stub = CounterGrpc.newBlockingStub(channel);
      // Both proxies are up once a call goes through (until then: refused or UNAVAILABLE).
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .until(() -> stub.withDeadlineAfter(5, TimeUnit.SECONDS)
              .add(AddRequest.newBuilder().setA(1).setB(2).build()).getTotal() == 3);
      Iterator<Number> numbers = stub.withDeadlineAfter(20, TimeUnit.SECONDS)
          .countTo(CountRequest.newBuilder().setTo(5).build());
      long sum = 0;
      while (numbers.hasNext()) {
        sum += numbers.next().getValue();
      }
      assertEquals(15, sum);
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    terminate(ingress, "ingress", "stopped ingress proxy");
    terminate(egress, "egress", "stopped egress proxy");
    assertFalse(portOpen(ingressPort), "the ingress port is still open after its process exited");
    far.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static boolean portOpen(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
