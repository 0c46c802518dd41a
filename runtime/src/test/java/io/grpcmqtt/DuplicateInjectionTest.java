package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.testing.TestBroker;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same request PUBLISH twice, as a QoS 1 redelivery makes it: the handler runs once, and the
 * duplicate is answered from the reply cache with the same answer (a gRPC client drops it as a
 * reply for no active call).
 */
class DuplicateInjectionTest {
  private static final byte[] CORRELATION = {4, 2};

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void duplicateOfAnAnsweredRequestRunsNothingAndGetsTheSameAnswer(TestBroker broker)
      throws Exception {
    try (Rpc rpc = new Rpc(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      byte[] request = Request.newBuilder().setText("pay-once").build().toByteArray();
      String topic = rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary";
      device.request(topic, request, CORRELATION, null);
      MqttMessage first = device.nextReply();
      device.request(topic, request, CORRELATION, null);
      MqttMessage second = device.nextReply();

      assertEquals(1, rpc.service.unaryTexts.get("pay-once").get());
      assertArrayEquals(first.getPayload(), second.getPayload());
      assertEquals("pay-once", Response.parseFrom(second.getPayload()).getText());
      assertEquals("0", RawMqttClient.property(second, "grpc-status"));
      assertArrayEquals(CORRELATION, second.getProperties().getCorrelationData());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void duplicateOfARunningRequestIsDropped(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      byte[] request = Request.newBuilder().setText("slow").setHang(true).build().toByteArray();
      String topic = rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary";
      device.request(topic, request, CORRELATION, null,
          new org.eclipse.paho.mqttv5.common.packet.UserProperty("grpc-timeout", "1500m"));
      assertEquals("Unary", rpc.service.startedHanging.poll(10, TimeUnit.SECONDS));
      device.request(topic, request, CORRELATION, null,
          new org.eclipse.paho.mqttv5.common.packet.UserProperty("grpc-timeout", "1500m"));

      // One call, ended by its deadline, answered once.
      MqttMessage reply = device.nextReply();
      assertEquals("4", RawMqttClient.property(reply, "grpc-status"));
      assertEquals(1, rpc.service.unaryTexts.get("slow").get());
      assertNull(device.replies.poll(1, TimeUnit.SECONDS), "a second reply");
    }
  }
}
