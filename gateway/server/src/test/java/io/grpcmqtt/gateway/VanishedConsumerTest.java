package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A plain MQTT client (no grpc-mqtt, no will) opens a ReceiveStream without a deadline, takes
 * messages and vanishes. What it held must reach another consumer within {@link
 * #VANISHED_CLIENT_BOUND}: the runtime ends the calls of a client that left without a will (its
 * server-side liveness rules), and the Gateway requeues what an ended stream held at once.
 *
 * <p>The first half is the runtime's: its caller probe (every 10 s by default) finds the stream's
 * Response Topic without a subscriber and ends the call, documented as within about 2 x the probe
 * interval (docs/operations.md).
 */
class VanishedConsumerTest {
  /**
   * The runtime's bound for ending a vanished will-less client's calls, plus margin; keep it equal
   * to what docs/operations.md documents for it.
   */
  static final Duration VANISHED_CLIENT_BOUND = Duration.ofSeconds(25);

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void messagesHeldByAVanishedPlainMqttStreamReachAnotherConsumer(TestBroker broker) throws Exception {
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(broker, location)) {
      String topic = gw.topic("jobs");
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        sent.add(GatewaySemanticsTest.send(gw, topic, "job" + i));
      }
      Mqtt device = new Mqtt(broker.uri());
      String reply = "devices/" + UUID.randomUUID() + "/reply";
      device.subscribe(reply);
      // No grpc-timeout, no Message Expiry, no credit limit; a lease far longer than the test.
      device.request(gw.prefix + "/" + Gateway.SERVICE + "/ReceiveStream",
          ReceiveRequest.newBuilder().setTopic(topic).setLimit(5).setVisibilityTimeoutMs(600_000).build().toByteArray(),
          reply, "stream-1", null);
      int messages = 0;
      while (messages < 5) {
        Mqtt.Received r = device.next();
        if (r.message().getPayload().length > 0) {
          assertTrue(Message.parseFrom(r.message().getPayload()).getTopic().equals(topic));
          messages++;
        }
      }
      // Gone without a will and without DISCONNECT, as a device losing power.
      device.client.disconnectForcibly(0, 1_000, false);
      device.client.close(true);
      long t0 = System.nanoTime();

      List<Message> got = new ArrayList<>();
      while (got.size() < 5 && System.nanoTime() - t0 < VANISHED_CLIENT_BOUND.toNanos()) {
        got.addAll(GatewaySemanticsTest.receive(gw, topic, 5, 5_000, 600_000));
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
      System.out.printf("%s: the vanished stream's messages reached another consumer after %d s%n", broker.name(), seconds);
      assertEquals(sent, got.stream().map(Message::getMsgId).toList(),
          "within " + VANISHED_CLIENT_BOUND.toSeconds() + " s, in order");
      assertTrue(got.stream().allMatch(m -> m.getDeliveryCount() == 2), "redelivered once: " + got);
      assertEquals(0, gw.gateway().openStreams(), "the stream ended");
    }
  }
}
