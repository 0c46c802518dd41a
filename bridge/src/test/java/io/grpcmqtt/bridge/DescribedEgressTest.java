package io.grpcmqtt.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import com.google.protobuf.util.JsonFormat;
import io.grpcmqtt.bridge.internal.RawMarshaller;
import io.grpcmqtt.bridge.test.v1.EchoResponse;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** An egress proxy given the service's descriptor hosts it like a generated service. */
class DescribedEgressTest {
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void everyCallKindThroughBothDescribedProxies(TestBroker broker) throws Exception {
    try (Topology t = Topology.doubleProxyDescribed(broker)) {
      CallKinds.all(t);
      DoubleProxyTest.cancelWhileHanging(t, "Bidi");
    }
  }

  /** A device with a bare MQTT client calls the plain gRPC server in JSON. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void deviceCallsInJson(TestBroker broker) throws Exception {
    try (Topology t = Topology.doubleProxyDescribed(broker)) {
      Reply reply = deviceCall(t, "{\"text\":\"from a device\"}");
      assertEquals("0", reply.property("grpc-status"));
      EchoResponse.Builder response = EchoResponse.newBuilder();
      JsonFormat.parser().merge(reply.payload, response);
      assertEquals("from a device", response.getText(), reply.payload);
      // The request's Message Expiry (20 s) became the far server's deadline.
      assertTrue(response.getDeadlineMs() > 0 && response.getDeadlineMs() <= 20_000, reply.payload);

      Reply bad = deviceCall(t, "{\"nope\":1}");
      assertEquals(String.valueOf(Status.Code.INVALID_ARGUMENT.value()), bad.property("grpc-status"));
    }
  }

  @Test
  void withoutADescriptorJsonIsRefused() throws Exception {
    try (Topology t = Topology.doubleProxy(Brokers.hivemq(), MethodTypes.allBidi())) {
      Reply reply = deviceCall(t, "{\"text\":\"x\"}");
      assertEquals(String.valueOf(Status.Code.INVALID_ARGUMENT.value()), reply.property("grpc-status"));
    }
  }

  @Test
  void unknownMethodOfADescribedServiceIsUnimplementedAtTheProxy() throws Exception {
    try (Topology t = Topology.doubleProxyDescribed(Brokers.hivemq())) {
      MethodDescriptor<byte[], byte[]> nope =
          MethodDescriptor.newBuilder(RawMarshaller.INSTANCE, RawMarshaller.INSTANCE)
              .setFullMethodName(Topology.SERVICE + "/Nope")
              .setType(MethodDescriptor.MethodType.UNARY)
              .build();
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> ClientCalls.blockingUnaryCall(
                  t.client, nope, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                  new byte[0]));
      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    }
  }

  /** What a device got back. */
  static final class Reply {
    final String payload;
    final List<UserProperty> properties;

    Reply(MqttMessage message) {
      this.payload = new String(message.getPayload(), StandardCharsets.UTF_8);
      this.properties = message.getProperties().getUserProperties();
    }

    String property(String key) {
      return properties.stream().filter(p -> p.getKey().equals(key)).map(UserProperty::getValue)
          .findFirst().orElse(null);
    }
  }

  /** One MQTT 5 request/response, as {@code mosquitto_rr} would make it: no correlation data. */
  static Reply deviceCall(Topology t, String json) throws Exception {
    String id = "device-" + t.prefix + "-" + System.nanoTime();
    MqttClient device = new MqttClient(t.broker.uri(), id, new MemoryPersistence());
    try {
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      device.connect(options);
      BlockingQueue<MqttMessage> replies = new ArrayBlockingQueue<>(4);
      String replyTopic = "devices/" + id + "/reply";
      // (Paho 1.2.5's subscribe(topic, qos, listener) recurses forever: use the array form.)
      device.subscribe(
          new MqttSubscription[] {new MqttSubscription(replyTopic, 1)},
          new IMqttMessageListener[] {(topic, message) -> replies.add(message)});
      MqttProperties properties = new MqttProperties();
      properties.setResponseTopic(replyTopic);
      properties.setContentType("application/json");
      properties.setMessageExpiryInterval(20L);
      MqttMessage request = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
      request.setQos(1);
      request.setProperties(properties);
      device.publish(t.prefix + "/" + Topology.SERVICE + "/Unary", request);
      MqttMessage reply = replies.poll(20, TimeUnit.SECONDS);
      assertNotNull(reply, "no reply within 20 s");
      return new Reply(reply);
    } finally {
      device.disconnect();
      device.close();
    }
  }
}
