package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.ReceiveResponse;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.gateway.v1.SendResponse;
import io.grpcmqtt.testing.TestBroker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Constrained devices with no SDK, using the real binaries: {@code mosquitto_rr} with JSON and
 * with protobuf made by {@code protoc --encode}, {@code mosquitto_pub} on the device Send topic,
 * and the C program in {@code device-c/} (built with gcc against libmosquitto). On HiveMQ and
 * Mosquitto.
 */
class DevicePathsTest {
  private static final String SERVICE = "robustmq.gateway.v1.RobustMQGateway";
  private static Path deviceProgram;
  private static Path protoDir;

  private static List<String> rr(TestBroker broker, TestGateway gw, String method, String... more) {
    List<String> command = new ArrayList<>(List.of(Tools.binary("mosquitto_rr", "mosquitto-clients"),
        "-V", "mqttv5", "-h", broker.host(), "-p", Integer.toString(broker.port()),
        "-t", gw.prefix + "/" + SERVICE + "/" + method, "-e", "devices/rr-" + ProcessHandle.current().pid() + "/reply",
        "-W", "15"));
    command.addAll(List.of(more));
    return command;
  }

  private static String json(Tools.Run run) {
    assertEquals(0, run.exit(), run.stderr());
    return run.out().trim();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void mosquittoRrCallsSendReceiveAndAckWithJson(TestBroker broker) throws Exception {
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(broker, location)) {
      String topic = gw.topic("sensors/room1");
      String[] asJson = {"-D", "publish", "content-type", "application/json"};

      String sent = json(Tools.run(with(rr(broker, gw, "Send", asJson),
          "-m", "{\"topic\":\"" + topic + "\",\"payload\":\"MjEuNQ==\",\"headers\":{\"unit\":\"C\"}}")));
      SendResponse.Builder sendResponse = SendResponse.newBuilder();
      JsonFormat.parser().merge(sent, sendResponse);
      String id = sendResponse.getMsgId();
      assertEquals("{\"msgId\":\"" + id + "\"}", sent);

      String received = json(Tools.run(with(rr(broker, gw, "Receive", asJson),
          "-m", "{\"topic\":\"" + topic + "\",\"limit\":10,\"maxWaitMs\":5000}")));
      ReceiveResponse.Builder receiveResponse = ReceiveResponse.newBuilder();
      JsonFormat.parser().merge(received, receiveResponse);
      Message m = receiveResponse.getMessages(0);
      assertEquals(id, m.getMsgId());
      assertEquals("21.5", m.getPayload().toStringUtf8());
      assertEquals("C", m.getHeadersMap().get("unit"));
      assertEquals(1, m.getDeliveryCount());

      String ack = "{\"topic\":\"" + topic + "\",\"msgId\":\"" + id + "\"}";
      assertEquals("{}", json(Tools.run(with(rr(broker, gw, "Ack", asJson), "-m", ack))));
      // Errors are replies too: an empty payload with grpc-status and grpc-message.
      Tools.Run again = Tools.run(with(rr(broker, gw, "Ack", asJson), "-m", ack, "-F", "%P"));
      assertEquals(0, again.exit(), again.stderr());
      assertTrue(again.out().startsWith("grpc-status:5 grpc-message:no unacknowledged message '" + id + "'"), again.out());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void mosquittoRrCallsSendReceiveAndAckWithProtobufFromProtoc(TestBroker broker) throws Exception {
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(broker, location)) {
      String topic = gw.topic("pb");
      Path dir = Files.createTempDirectory("gateway-pb-");
      try {
        Path send = encode(dir, "SendRequest", "topic: \"" + topic + "\" payload: \"21.5\"");
        String sent = decode("SendResponse", rrBinary(broker, gw, "Send", send));
        assertTrue(sent.matches("msg_id: \"\\d+\"\n"), sent);
        String id = sent.replaceAll("[^0-9]", "");

        Path receive = encode(dir, "ReceiveRequest", "topic: \"" + topic + "\" limit: 1 max_wait_ms: 5000");
        String received = decode("ReceiveResponse", rrBinary(broker, gw, "Receive", receive));
        assertTrue(received.contains("msg_id: \"" + id + "\"") && received.contains("payload: \"21.5\"")
            && received.contains("delivery_count: 1"), received);

        Path ack = encode(dir, "AckRequest", "topic: \"" + topic + "\" msg_id: \"" + id + "\"");
        assertEquals("", decode("AckResponse", rrBinary(broker, gw, "Ack", ack)));
        assertEquals(0, GatewaySemanticsTest.receive(gw, topic, 10, 0, 0).size(), "acknowledged");
      } finally {
        try (var files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void mosquittoPubOnTheDeviceSendTopicEnqueuesTheRawPayload(TestBroker broker) throws Exception {
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(broker, location)) {
      String topic = gw.topic("sensors/room1");
      Tools.Run pub = Tools.run(Tools.binary("mosquitto_pub", "mosquitto-clients"), "-V", "mqttv5",
          "-h", broker.host(), "-p", Integer.toString(broker.port()), "-q", "1",
          "-t", "gateway/send/" + topic, "-m", "21.5");
      assertEquals(0, pub.exit(), pub.stderr());
      List<Message> got = GatewaySemanticsTest.receive(gw, topic, 10, 10_000, 0);
      assertEquals(1, got.size());
      assertEquals("21.5", got.get(0).getPayload().toStringUtf8());
      assertEquals(topic, got.get(0).getTopic());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void cDeviceProgramSendsReceivesAndAcks(TestBroker broker) throws Exception {
    Path program = deviceProgram();
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(broker, location)) {
      String topic = gw.topic("c-device");
      // Something a service sent earlier: the device's Receive gets it first (FIFO).
      String fromJava = gw.blocking().send(SendRequest.newBuilder().setTopic(topic)
          .setPayload(ByteString.copyFromUtf8("from-java")).build()).getMsgId();

      Tools.Run run = Tools.run(program.toString(), "-h", broker.host(), "-p", Integer.toString(broker.port()),
          "-P", gw.prefix, "-t", topic, "-m", "21.5", "-w", "5000");
      assertEquals(0, run.exit(), run.stderr() + run.out());
      List<String> lines = run.out().lines().toList();
      assertEquals(3, lines.size(), run.out());
      assertTrue(lines.get(0).matches("sent msg_id=\\d+"), lines.get(0));
      assertEquals("received msg_id=" + fromJava + " delivery_count=1 payload=from-java", lines.get(1));
      assertEquals("acked msg_id=" + fromJava, lines.get(2));

      // And what the device sent reaches a Java consumer.
      List<Message> got = GatewaySemanticsTest.receive(gw, topic, 10, 0, 0);
      assertEquals(List.of("21.5"), GatewaySemanticsTest.payloads(got));
      assertEquals(lines.get(0).substring("sent msg_id=".length()), got.get(0).getMsgId());

      // A refused call is reported, with the Gateway's reason, and a failing exit status.
      Tools.Run bad = Tools.run(program.toString(), "-h", broker.host(), "-p", Integer.toString(broker.port()),
          "-P", gw.prefix, "-t", "bad/#", "-m", "x");
      assertEquals(1, bad.exit());
      assertTrue(bad.stderr().contains("Send failed: grpc-status 3: topic 'bad/#' must not contain the MQTT wildcards"),
          bad.stderr());
    }
  }

  private static List<String> with(List<String> command, String... more) {
    List<String> c = new ArrayList<>(command);
    c.addAll(List.of(more));
    return c;
  }

  /** The request as protobuf, made by the real protoc from text format. */
  private static Path encode(Path dir, String type, String text) throws Exception {
    Tools.Run run = Tools.run(List.of(Tools.protoc(), "-I", protoDir().toString(),
        "--encode=robustmq.gateway.v1." + type, "robustmq/gateway/v1/gateway.proto"),
        text.getBytes(StandardCharsets.UTF_8));
    assertEquals(0, run.exit(), run.stderr());
    Path file = Files.createTempFile(dir, type, ".bin");
    Files.write(file, run.stdout());
    return file;
  }

  private static String decode(String type, byte[] payload) throws Exception {
    Tools.Run run = Tools.run(List.of(Tools.protoc(), "-I", protoDir().toString(),
        "--decode=robustmq.gateway.v1." + type, "robustmq/gateway/v1/gateway.proto"), payload);
    assertEquals(0, run.exit(), run.stderr());
    return run.out();
  }

  /**
   * mosquitto_rr sending a file's bytes; returns the reply payload (-N: no newline added). The bytes
   * go in with {@code -m "$(cat file)"} as in the documented recipe: mosquitto_rr 2.0.11 sends an
   * empty payload for {@code -f file}.
   */
  private static byte[] rrBinary(TestBroker broker, TestGateway gw, String method, Path request) throws Exception {
    StringBuilder command = new StringBuilder();
    for (String arg : rr(broker, gw, method)) {
      command.append('\'').append(arg).append("' ");
    }
    command.append("-N -m \"$(cat '").append(request).append("')\"");
    Tools.Run run = Tools.run(List.of("sh", "-c", command.toString()), new byte[0]);
    assertEquals(0, run.exit(), run.stderr());
    return run.stdout();
  }

  /** The Gateway's .proto, as shipped in the grpc-mqtt-proto jar. */
  private static synchronized Path protoDir() throws IOException {
    if (protoDir == null) {
      Path dir = Files.createTempDirectory("gateway-proto-");
      // gateway.proto imports the mapping options (grpc-mqtt-proto jar), which import two
      // well-known types (protobuf-java jar); the protoc binary from Maven Central has none.
      for (String name : List.of("robustmq/gateway/v1/gateway.proto", "grpcmqtt/options.proto",
          "google/protobuf/descriptor.proto", "google/protobuf/duration.proto")) {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        try (InputStream in = DevicePathsTest.class.getClassLoader().getResourceAsStream(name)) {
          Files.copy(in, file);
        }
      }
      dir.toFile().deleteOnExit();
      protoDir = dir;
    }
    return protoDir;
  }

  /** device-c/gateway_device.c, built with gcc the way its Makefile does. */
  private static synchronized Path deviceProgram() throws Exception {
    if (deviceProgram == null) {
      String gcc = Tools.binary("gcc", "gcc");
      Tools.requireHeader("/usr/include/mosquitto.h", "libmosquitto-dev");
      Path source = Path.of(System.getProperty("gateway.test.deviceC", "device-c")).resolve("gateway_device.c");
      Path out = Path.of("target", "device-c", "gateway_device").toAbsolutePath();
      Files.createDirectories(out.getParent());
      Tools.Run build = Tools.run(gcc, "-std=c99", "-D_POSIX_C_SOURCE=200809L", "-O2", "-Wall", "-Wextra", "-Werror",
          "-o", out.toString(), source.toString(), "-lmosquitto");
      assertEquals(0, build.exit(), "gcc failed:\n" + build.stderr());
      deviceProgram = out;
    }
    return deviceProgram;
  }
}
