package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.awaitility.Awaitility.await;

/**
 * The status topics: an "offline" for a client cancels its calls on the server; an "offline" for
 * a server fails the streams it held. (The broker publishes these as last wills; the fault suite
 * kills real processes, this test publishes the will's message itself.)
 */
class LivenessTest {
  private static final Request HANG = Request.newBuilder().setHang(true).build();

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void clientWillCancelsItsCallsOnTheServer(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker);
        RawMqttClient other = new RawMqttClient(broker.uri())) {
      CompletableFuture<Void> result = new CompletableFuture<>();
      rpc.async().serverStream(HANG, CallKindsTest.ending(result));
      await().atMost(Duration.ofSeconds(5)).until(() -> rpc.service.hanging.get() > 0);

      publish(other, rpc.prefix + "/_status/client/" + rpc.channelId, "offline", false);
      assertEquals("ServerStream", rpc.service.cancellations.poll(5, TimeUnit.SECONDS));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void serverWillFailsTheStreamsItHeld(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker);
        RawMqttClient other = new RawMqttClient(broker.uri())) {
      CompletableFuture<Void> result = new CompletableFuture<>();
      rpc.async().serverStream(HANG, CallKindsTest.ending(result));
      await().atMost(Duration.ofSeconds(5)).until(() -> rpc.service.hanging.get() > 0);

      long start = System.nanoTime();
      publish(other, rpc.prefix + "/_status/server/" + rpc.serverId, "offline", true);
      StatusRuntimeException e = CallKindsTest.failure(result);
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains(rpc.serverId), e.getMessage());
      assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 3_000);
      // Leave no retained message behind on the shared broker.
      publish(other, rpc.prefix + "/_status/server/" + rpc.serverId, "", true);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void serverPublishesRetainedOnlineAndOfflineStatus(TestBroker broker) throws Exception {
    Rpc rpc = new Rpc(broker);
    String topic = rpc.prefix + "/_status/server/" + rpc.serverId;
    try (RawMqttClient watcher = new RawMqttClient(broker.uri())) {
      watcher.client.subscribe(topic, 1).waitForCompletion(5_000);
      MqttMessage online = watcher.nextReply();
      assertEquals("online", new String(online.getPayload(), StandardCharsets.UTF_8));
      assertTrue(online.isRetained(), "a late subscriber learns the state from the retained message");

      rpc.close();
      MqttMessage offline = watcher.nextReply();
      assertEquals("offline", new String(offline.getPayload(), StandardCharsets.UTF_8));
      publish(watcher, topic, "", true);
    }
  }

  private static void publish(RawMqttClient client, String topic, String payload, boolean retained)
      throws Exception {
    MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    message.setQos(1);
    message.setRetained(retained);
    client.client.publish(topic, message).waitForCompletion(5_000);
  }
}
