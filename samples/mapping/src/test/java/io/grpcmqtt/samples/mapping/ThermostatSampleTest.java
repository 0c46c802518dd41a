package io.grpcmqtt.samples.mapping;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.samples.mapping.v1.Reading;
import io.grpcmqtt.samples.mapping.v1.Target;
import io.grpcmqtt.samples.mapping.v1.ThermostatMqtt;
import io.grpcmqtt.samples.mapping.v1.WatchRequest;
import io.grpcmqtt.testing.MosquittoClients;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The sample, built by the real Maven build with the plugin, used by stubs and by mosquitto_pub. */
class ThermostatSampleTest {
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void sensorsPublishPlainTextAndStubsWatchTheRoom(TestBroker broker) throws Exception {
    ThermostatService service = new ThermostatService();
    String prefix = "thermo" + ProcessHandle.current().pid();
    Server server = ThermostatMqtt.addService(
        MqttServerBuilder.forBroker(broker.uri()).topicPrefix(prefix), service).build().start();
    ManagedChannel channel = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).templateTopics(true).build();
    try {
      assertEquals("target kitchen 21.0", ThermostatMqtt.newBlockingStub(channel)
          .setTarget(Target.newBuilder().setRoom("kitchen").setCelsius(21).build()).getNote());
      BlockingQueue<Reading> watched = new LinkedBlockingQueue<>();
      ThermostatMqtt.newStub(channel).watch(WatchRequest.newBuilder().setRoom("kitchen").build(),
          collect(watched));
      await().atMost(Duration.ofSeconds(10)).until(() -> service.watchers("kitchen") == 1);

      MosquittoClients.publish(broker, "home/kitchen/temperature", "21.5");

      Reading reading = watched.poll(10, TimeUnit.SECONDS);
      assertEquals(Reading.newBuilder().setRoom("kitchen").setCelsius("21.5").build(), reading);
      assertEquals(reading, service.lastReading("kitchen"));
      assertEquals(21.0, service.target("kitchen"));
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static StreamObserver<Reading> collect(BlockingQueue<Reading> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(Reading value) {
        into.add(value);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }
}
