package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line: help, bad arguments (one line + usage, exit 2), start failures, the main job. */
class MainTest {
  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    return run(Map.of(), args);
  }

  private static Result run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpPrintsUsageAndExitsZero() {
    Result r = run("--help");
    assertEquals(0, r.code());
    assertTrue(r.out().startsWith("Usage: java -jar grpc-mqtt-gateway.jar"), r.out());
    for (String option : List.of("--broker", "--data-dir", "--jdbc-url", "--ingest", "--deployment",
        "--idempotency-window", "--grpc-listen", "--grpc-tls-cert", "--metrics-listen", "--call-threads", "--help",
        "GATEWAY_GRPC_LISTEN")) {
      assertTrue(r.out().contains(option), option);
    }
    assertEquals("", r.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "--bogus|Unknown option: '--bogus'",
      "--broker|Missing required parameter for option '--broker'",
      "--broker=localhost:1883|--broker must be a URI like tcp://HOST:PORT",
      "--embedded-port=70000|--embedded-port must be in 0..65535, was 70000",
      "--embedded-port=x|Invalid value for option '--embedded-port': 'x' is not an int",
      "--data-dir=/tmp/x --jdbc-url=jdbc:h2:mem:x|give --data-dir or --jdbc-url, not both",
      "--jdbc-url=jdbc:mysql://h/db|--jdbc-url must start with jdbc:postgresql: or jdbc:h2:",
      "--ingest=#|ingest filter '#' overlaps 'grpc/#'",
      "--ingest=a/#/b|'#' must be the last level",
      "--ingest=gateway/+/x|overlaps 'gateway/send/#'",
      "--mirror-prefix=gateway|mirror prefix 'gateway' overlaps 'gateway/send/#'",
      "--no-mirror --mirror-prefix=out|give --mirror-prefix or --no-mirror, not both",
      "--max-payload=0|--max-payload must be in 1..3145728, was 0",
      "--deployment=a/b|invalid deployment name 'a/b'",
      "--deployment=eu1 --ingest=grpc/x/#|overlaps 'grpc/#'",
      "--ingest=devices//x/#|ingest filter 'devices//x/#' has an empty level",
      "--idempotency-window=0|--idempotency-window must be in 1..604800 seconds, was 0",
      "--idempotency-window=1h|Invalid value for option '--idempotency-window': '1h' is not a long",
      "--grpc-listen=50051|Invalid value for option '--grpc-listen': '50051' is not HOST:PORT",
      "--grpc-listen=127.0.0.1:0 --grpc-tls-cert=c.pem|--grpc-tls-cert and --grpc-tls-key go together",
      "--grpc-tls-cert=c.pem --grpc-tls-key=k.pem|the --grpc-tls-* options need --grpc-listen",
      "--metrics-listen=127.0.0.1:0|--metrics-listen needs a fixed port, not 0",
      "--call-threads=0|callThreads must be in 1..1024, was 0",
      "stray|Unmatched argument at index 0: 'stray'"})
  void badArgumentsGiveOneLineAndUsageAndExitTwo(String spec) {
    String[] parts = spec.split("\\|");
    Result r = run(parts[0].split(" "));
    assertEquals(2, r.code(), r.err());
    String first = r.err().lines().findFirst().orElse("");
    assertTrue(first.startsWith("error: ") && first.contains(parts[1]), first);
    assertTrue(r.err().contains("Usage: java -jar grpc-mqtt-gateway.jar"), r.err());
    assertEquals("", r.out());
  }

  /** Every option can come from the environment; the command line wins. */
  @Test
  void optionsComeFromTheEnvironmentTooAndTheCommandLineWins() {
    Result fromEnv = run(Map.of("GATEWAY_INGEST", "devices/#,#"));
    assertEquals(2, fromEnv.code(), fromEnv.err());
    assertTrue(fromEnv.err().startsWith("error: ingest filter '#' overlaps 'grpc/#'"), fromEnv.err());
    Result flag = run(Map.of("GATEWAY_NO_MIRROR", "true"), "--mirror-prefix", "out");
    assertTrue(flag.err().startsWith("error: give --mirror-prefix or --no-mirror, not both"), flag.err());
    Result overridden = run(Map.of("GATEWAY_MAX_PAYLOAD", "0"), "--max-payload", "5", "--rpc-prefix", "a/#");
    assertTrue(overridden.err().startsWith("error: invalid RPC topic prefix 'a/#'"), overridden.err());
    Result deployment = run(Map.of("GATEWAY_DEPLOYMENT", "a/b"));
    assertTrue(deployment.err().startsWith("error: invalid deployment name 'a/b'"), deployment.err());
    Result window = run(Map.of("GATEWAY_IDEMPOTENCY_WINDOW", "0"));
    assertTrue(window.err().startsWith("error: --idempotency-window must be in 1..604800 seconds, was 0"), window.err());
    Result bad = run(Map.of("GATEWAY_CALL_THREADS", "many"));
    assertTrue(bad.err().startsWith("error: Invalid value for option '--call-threads': 'many' is not an int"), bad.err());
  }

  @Test
  void unreachableBrokerIsAStartFailureNamingIt(@TempDir Path dir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      port = s.getLocalPort();
    }
    Result r = run("--broker", "tcp://127.0.0.1:" + port, "--data-dir", dir.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: cannot start the Gateway: cannot connect to MQTT broker tcp://127.0.0.1:" + port), r.err());
  }

  /** The main job: no --broker starts the embedded one; ready line; calls work; SIGTERM stops it. */
  @Test
  void runsOnTheEmbeddedBrokerAndStopsOnSigterm(@TempDir Path dir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      port = s.getLocalPort();
    }
    int metricsPort;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      metricsPort = s.getLocalPort();
    }
    // The HTTP/2 listener from the environment, as a container would set it.
    try (GatewayProcess gateway = GatewayProcess.start(List.of("--embedded-port", Integer.toString(port),
        "--data-dir", dir.resolve("data").toString(), "--ingest", "devices/#",
        "--metrics-listen", "127.0.0.1:" + metricsPort),
        Map.of("GATEWAY_GRPC_LISTEN", "127.0.0.1:0"))) {
      Matcher m = Pattern.compile("^RobustMQ Gateway ready: broker (tcp://127\\.0\\.0\\.1:" + port + ") \\(embedded\\)"
          + " \\| calls grpc/robustmq\\.gateway\\.v1\\.RobustMQGateway/\\{Send,Receive,ReceiveStream,Ack\\}"
          + " \\| device send gateway/send/\\{topic\\} \\| group robustmq-gateway \\| mirror \\{topic\\}"
          + " \\| ingest devices/# \\| grpc 127\\.0\\.0\\.1:(\\d+) \\| metrics http://127\\.0\\.0\\.1:" + metricsPort + "/metrics"
          + " \\| store h2:.*")
          .matcher(gateway.readyLine);
      assertTrue(m.matches(), gateway.readyLine);
      assertTrue(gateway.log().contains("starting the embedded MQTT broker on 127.0.0.1:" + port), gateway.log());
      // The log names the one group every path shares, as the ready line and docs/gateway.md do.
      for (String subscription : List.of("$share/robustmq-gateway/grpc/robustmq.gateway.v1.RobustMQGateway/+",
          "$share/robustmq-gateway/gateway/send/#", "$share/robustmq-gateway/devices/#")) {
        assertTrue(gateway.log().contains(subscription), subscription + " in\n" + gateway.log());
      }
      assertTrue(gateway.log().contains("shared group 'robustmq-gateway' (calls, device sends, ingest)"), gateway.log());

      ManagedChannel channel = MqttChannelBuilder.forBroker(m.group(1)).build();
      try {
        var stub = RobustMQGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
        String id = stub.send(SendRequest.newBuilder().setTopic("jobs").setPayload(ByteString.copyFromUtf8("hello")).build()).getMsgId();
        var got = stub.receive(ReceiveRequest.newBuilder().setTopic("jobs").setLimit(1).build()).getMessages(0);
        assertEquals(id, got.getMsgId());
        assertEquals("hello", got.getPayload().toStringUtf8());
      } finally {
        channel.shutdownNow();
      }
      // The same queue over HTTP/2: the message was received and not acknowledged above.
      ManagedChannel http2 = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(m.group(2))).usePlaintext().build();
      try {
        var stub = RobustMQGatewayGrpc.newBlockingStub(http2).withDeadlineAfter(20, TimeUnit.SECONDS);
        String id = stub.send(SendRequest.newBuilder().setTopic("jobs").setPayload(ByteString.copyFromUtf8("again")).build()).getMsgId();
        assertTrue(Long.parseLong(id) > 0, id);
      } finally {
        http2.shutdownNow();
      }
      // Both messages wait in the queue "jobs" (one leased): Prometheus sees them.
      String scraped = new String(java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics").toURL()
          .openStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(Pattern.compile("(?m)^robustmq_gateway_queue_depth\\{[^}]*topic=\"jobs\"[^}]*\\} 2(\\.0)?$")
          .matcher(scraped).find(), scraped);
      assertTrue(Pattern.compile("(?m)^robustmq_gateway_queue_leased\\{[^}]*topic=\"jobs\"[^}]*\\} 1(\\.0)?$")
          .matcher(scraped).find(), scraped);
      assertTrue(scraped.contains("grpc_server_call_duration"), scraped);
      assertEquals(143, gateway.terminate(), "exit status after SIGTERM (128 + 15)");
      String log = gateway.log();
      assertTrue(log.contains("Stopping (signal received)") && log.contains("RobustMQ Gateway stopped"), log);
      assertTrue(Files.exists(dir.resolve("data").resolve("gateway.mv.db")));
    }
  }
}
