package io.grpcmqtt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.grpcmqtt.it.devices.Method;
import io.grpcmqtt.it.greeter.v1.HelloReply;
import io.grpcmqtt.it.greeter.v1.HelloRequest;
import io.grpcmqtt.testing.MosquittoClients;
import io.grpcmqtt.testing.TestBroker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plain MQTT clients with no grpc-mqtt code (mosquitto_pub, mosquitto_rr) call the golden set's
 * templated methods by publishing text to readable topics.
 */
class DevicesCallGeneratedServicesTest {
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void mosquittoPubTextOnATemplatedTopicFillsTheBodyAndTheBoundFields(TestBroker broker)
      throws Exception {
    try (GeneratedServicesOnBrokerTest.Fixture f = new GeneratedServicesOnBrokerTest.Fixture(broker)) {
      MosquittoClients.publish(broker, "greeters/ada/shout/good/morning", "HELLO");
      Object shout = f.services.received.poll(10, TimeUnit.SECONDS);
      MosquittoClients.publish(broker, "devices/d9/invoke/blink", "3x");
      Object invoke = f.services.received.poll(10, TimeUnit.SECONDS);

      assertEquals(HelloRequest.newBuilder().setName("ada").setGreeting("good/morning")
          .setText("HELLO").build(), shout);
      assertEquals(Method.newBuilder().setDeviceId("d9").setName("blink")
          .setArgs(ByteString.copyFromUtf8("3x")).build(), invoke);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void mosquittoRrGetsTheProtobufReply(TestBroker broker) throws Exception {
    try (GeneratedServicesOnBrokerTest.Fixture f = new GeneratedServicesOnBrokerTest.Fixture(broker)) {
      byte[] reply = MosquittoClients.request(broker, "greeters/bob/shout/hi", "hey");

      assertEquals("shout bob|hi|hey|0", HelloReply.parseFrom(reply).getMessage());
    }
  }
}
