package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertSame;

import io.grpcmqtt.mqtt.MqttClientLibrary;
import io.grpcmqtt.mqtt.MqttConnection;
import io.grpcmqtt.mqtt.MqttConnectionConfig;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A publish's outcome runs on the thread that delivers the connection's messages (package-info,
 * "Threads"), with both client libraries: no other thread is woken per PUBACK.
 */
class PublishOutcomeThreadTest {

  static Stream<Arguments> brokersAndLibraries() {
    return Brokers.both().flatMap(broker -> Stream.of(MqttClientLibrary.values())
        .map(library -> Arguments.of(broker, library)));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("brokersAndLibraries")
  void aPublishOutcomeRunsOnTheDeliveryThread(TestBroker broker, MqttClientLibrary library)
      throws Exception {
    String topic = "outcome-thread/" + ProcessHandle.current().pid() + "/" + library;
    MqttConnectionConfig config = MqttConnectionConfig.builder(broker.uri()).mqttClient(library).build();
    try (MqttConnection connection = MqttConnection.connect(config)) {
      CompletableFuture<Thread> delivered = new CompletableFuture<>();
      CompletableFuture<Thread> outcome = new CompletableFuture<>();
      connection.subscribe(topic, 1, d -> delivered.complete(Thread.currentThread()));
      ((TransportConnection.CallbackPublisher) connection).publish(
          MqttMessage.builder(topic).qos(1).payload(new byte[] {1}).build(),
          new TransportConnection.PublishCallback() {
            @Override
            public void published(int reasonCode) {
              outcome.complete(Thread.currentThread());
            }

            @Override
            public void failed(Throwable cause) {
              outcome.completeExceptionally(cause);
            }
          });
      Thread deliveryThread = delivered.get(10, TimeUnit.SECONDS);
      assertSame(deliveryThread, outcome.get(10, TimeUnit.SECONDS),
          "outcome on " + outcome.get().getName() + ", deliveries on " + deliveryThread.getName());
    }
  }
}
