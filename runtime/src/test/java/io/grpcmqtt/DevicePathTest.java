package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.testing.Executables;
import io.grpcmqtt.testing.TestBroker;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The device path: a plain MQTT 5 client, with no grpc-mqtt code, calls a unary method with a
 * hand-built PUBLISH; and so does the stock mosquitto_rr binary.
 */
class DevicePathTest {
  private static final byte[] CORRELATION = {1, 2, 3, 4};

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void plainPahoClientCallsUnaryWithProtobuf(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      byte[] request = Request.newBuilder().setText("from-device").build().toByteArray();
      int reason =
          device.request(
              rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary", request, CORRELATION, null);
      assertEquals(0, reason);

      MqttMessage reply = device.nextReply();
      assertEquals("0", RawMqttClient.property(reply, "grpc-status"));
      assertArrayEquals(CORRELATION, reply.getProperties().getCorrelationData());
      assertEquals("from-device", Response.parseFrom(reply.getPayload()).getText());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void plainPahoClientCallsUnaryWithJsonAndMetadata(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      byte[] json =
          "{\"text\":\"json\",\"echoHeader\":\"x-device\"}".getBytes(StandardCharsets.UTF_8);
      device.request(
          rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary",
          json,
          CORRELATION,
          "application/json",
          new UserProperty("x-device", "sensor-7"));

      MqttMessage reply = device.nextReply();
      assertEquals("0", RawMqttClient.property(reply, "grpc-status"));
      assertEquals("application/json", reply.getProperties().getContentType());
      Response.Builder response = Response.newBuilder();
      JsonFormat.parser().merge(new String(reply.getPayload(), StandardCharsets.UTF_8), response);
      assertEquals("json|x-device=sensor-7", response.getText());
      assertEquals("from-Unary", RawMqttClient.property(reply, "x-response-header"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void errorReplyHasStatusAndEmptyPayload(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      byte[] request =
          Request.newBuilder().setFailCode(Status.Code.NOT_FOUND.value()).setFailMessage("gone")
              .build().toByteArray();
      device.request(
          rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary", request, CORRELATION, null);
      MqttMessage reply = device.nextReply();
      assertEquals("5", RawMqttClient.property(reply, "grpc-status"));
      assertEquals("gone", RawMqttClient.property(reply, "grpc-message"));
      assertEquals("failed-Unary", RawMqttClient.property(reply, "x-trailer"));
      assertEquals(0, reply.getPayload().length);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void requestWithoutCorrelationDataIsAnswered(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      device.request(
          rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary",
          Request.newBuilder().setText("no-corr").build().toByteArray(),
          null,
          null);
      MqttMessage reply = device.nextReply();
      assertEquals("0", RawMqttClient.property(reply, "grpc-status"));
      assertNull(reply.getProperties().getCorrelationData());
      assertEquals("no-corr", Response.parseFrom(reply.getPayload()).getText());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void mosquittoRrBinaryCallsUnaryWithJson(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      List<String> command = new ArrayList<>(List.of(
          Executables.require("mosquitto_rr", "mosquitto-clients").toString(),
          "-V", "mqttv5",
          "-h", broker.host(), "-p", Integer.toString(broker.port()),
          "-t", rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary",
          "-e", "devices/rr-" + ProcessHandle.current().pid() + "/reply",
          "-D", "publish", "content-type", "application/json",
          "-m", "{\"text\":\"rr\"}",
          "-W", "10"));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output;
      try (InputStream in = process.getInputStream()) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        output = bytes.toString(StandardCharsets.UTF_8);
      }
      assertTrue(process.waitFor(15, TimeUnit.SECONDS), "mosquitto_rr did not finish");
      assertEquals(0, process.exitValue(), "mosquitto_rr failed: " + output);
      assertEquals("{\"text\":\"rr\"}", output.trim());
    }
  }
}
