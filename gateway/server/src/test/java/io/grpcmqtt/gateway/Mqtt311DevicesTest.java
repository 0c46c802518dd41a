package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.ReceiveResponse;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.gateway.v1.SendResponse;
import io.grpcmqtt.testing.MosquittoClients;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Devices that speak MQTT 3.1.1 only drain a Gateway queue over the 3.1.1 binding
 * (docs/protocol.md §14): the stock {@code mosquitto_pub}/{@code mosquitto_sub -V mqttv311} with
 * JSON, and the C program in {@code device-c/} in its {@code -3} mode (built with gcc against
 * libmosquitto). On HiveMQ and Mosquitto.
 */
class Mqtt311DevicesTest {
  private static final String SERVICE = "robustmq.gateway.v1.RobustMQGateway";
  private static Path deviceProgram;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void mosquittoClientsSendReceiveAndAckWithJson(TestBroker broker) throws Exception {
    String dev = "gw311-" + ProcessHandle.current().pid() + "-" + broker.name();
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(broker, location);
        MosquittoClients.Subscriber replies = MosquittoClients.subscribe311(
            broker, dev, gw.prefix + "/_311/res/" + dev + "/#")) {
      String topic = gw.topic("sensors/room1");
      String calls = gw.prefix + "/_311/req/" + dev + "/";
      String method = "/json/" + gw.prefix + "/" + SERVICE + "/";

      MosquittoClients.publish311(broker, dev + "-pub", calls + "1" + method + "Send", utf8(
          "{\"topic\":\"" + topic + "\",\"payload\":\"MjEuNQ==\",\"headers\":{\"unit\":\"C\"}}"));
      MosquittoClients.Subscriber.Message sent = replies.next();
      assertEquals(gw.prefix + "/_311/res/" + dev + "/1/0", sent.topic(), sent.text());
      SendResponse.Builder sendResponse = SendResponse.newBuilder();
      JsonFormat.parser().merge(sent.text(), sendResponse);
      String id = sendResponse.getMsgId();

      MosquittoClients.publish311(broker, dev + "-pub", calls + "2" + method + "Receive",
          utf8("{\"topic\":\"" + topic + "\",\"limit\":10,\"maxWaitMs\":5000}"));
      MosquittoClients.Subscriber.Message received = replies.next();
      assertEquals(gw.prefix + "/_311/res/" + dev + "/2/0", received.topic(), received.text());
      ReceiveResponse.Builder receiveResponse = ReceiveResponse.newBuilder();
      JsonFormat.parser().merge(received.text(), receiveResponse);
      Message m = receiveResponse.getMessages(0);
      assertEquals(id, m.getMsgId());
      assertEquals("21.5", m.getPayload().toStringUtf8());
      assertEquals("C", m.getHeadersMap().get("unit"));

      String ack = "{\"topic\":\"" + topic + "\",\"msgId\":\"" + id + "\"}";
      MosquittoClients.publish311(broker, dev + "-pub", calls + "3" + method + "Ack", utf8(ack));
      assertEquals(gw.prefix + "/_311/res/" + dev + "/3/0", replies.next().topic());
      // Acknowledged once: a second Ack is an error reply, status and text where 3.1.1 reads them.
      MosquittoClients.publish311(broker, dev + "-pub", calls + "4" + method + "Ack", utf8(ack));
      MosquittoClients.Subscriber.Message again = replies.next();
      assertEquals(gw.prefix + "/_311/res/" + dev + "/4/5", again.topic());
      assertTrue(again.text().startsWith("no unacknowledged message '" + id + "'"), again.text());

      // The device Send topic (a template with a body field), answered: the raw payload is queued.
      MosquittoClients.publish311(broker, dev + "-pub", calls + "5/-/gateway/send/" + topic, utf8("22.5"));
      MosquittoClients.Subscriber.Message raw = replies.next();
      assertEquals(gw.prefix + "/_311/res/" + dev + "/5/0", raw.topic());
      String rawId = SendResponse.parseFrom(raw.payload()).getMsgId();
      List<Message> queued = GatewaySemanticsTest.receive(gw, topic, 10, 0, 0);
      assertEquals(List.of(rawId), queued.stream().map(Message::getMsgId).toList());
      assertEquals(List.of("22.5"), GatewaySemanticsTest.payloads(queued));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void cDeviceProgramSendsReceivesAndAcksOverMqtt311(TestBroker broker) throws Exception {
    Path program = deviceProgram();
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(broker, location)) {
      String topic = gw.topic("c-device-311");
      String fromJava = gw.blocking().send(SendRequest.newBuilder().setTopic(topic)
          .setPayload(ByteString.copyFromUtf8("from-java")).build()).getMsgId();

      Tools.Run run = Tools.run(program.toString(), "-3", "-h", broker.host(),
          "-p", Integer.toString(broker.port()), "-P", gw.prefix, "-t", topic, "-m", "21.5", "-w", "5000");
      assertEquals(0, run.exit(), run.stderr() + run.out());
      List<String> lines = run.out().lines().toList();
      assertEquals(3, lines.size(), run.out());
      assertTrue(lines.get(0).matches("sent msg_id=\\d+"), lines.get(0));
      assertEquals("received msg_id=" + fromJava + " delivery_count=1 payload=from-java", lines.get(1));
      assertEquals("acked msg_id=" + fromJava, lines.get(2));
      List<Message> got = GatewaySemanticsTest.receive(gw, topic, 10, 0, 0);
      assertEquals(List.of("21.5"), GatewaySemanticsTest.payloads(got));

      // A refused call: the status from the reply topic, the Gateway's reason from the payload.
      Tools.Run bad = Tools.run(program.toString(), "-3", "-h", broker.host(),
          "-p", Integer.toString(broker.port()), "-P", gw.prefix, "-t", "bad/#", "-m", "x");
      assertEquals(1, bad.exit());
      assertTrue(bad.stderr().contains("Send failed: grpc-status 3: topic 'bad/#' must not contain the MQTT wildcards"),
          bad.stderr());
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** device-c/gateway_device.c, built with gcc and the flags of its Makefile. */
  private static synchronized Path deviceProgram() throws Exception {
    if (deviceProgram == null) {
      String gcc = Tools.binary("gcc", "gcc");
      Tools.requireHeader("/usr/include/mosquitto.h", "libmosquitto-dev");
      Path dir = Path.of(System.getProperty("gateway.test.deviceC", "device-c"));
      List<String> command = new ArrayList<>(List.of(gcc));
      for (String line : Files.readAllLines(dir.resolve("Makefile"))) {
        if (line.startsWith("CFLAGS ?=")) {
          command.addAll(List.of(line.substring("CFLAGS ?=".length()).trim().split("\\s+")));
        }
      }
      Path out = Path.of("target", "device-c-311", "gateway_device").toAbsolutePath();
      Files.createDirectories(out.getParent());
      command.addAll(List.of("-o", out.toString(), dir.resolve("gateway_device.c").toString(), "-lmosquitto"));
      Tools.Run build = Tools.run(command);
      assertEquals(0, build.exit(), "gcc failed:\n" + build.stderr());
      assertTrue(command.contains("-Werror"), "the Makefile's CFLAGS were read: " + command);
      deviceProgram = out;
    }
    return deviceProgram;
  }
}
