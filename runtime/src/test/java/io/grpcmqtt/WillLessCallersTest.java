package io.grpcmqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.testing.TestBroker;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Callers without a will (devices, plain MQTT clients) cannot pin a server's resources: one caller
 * cannot take every call slot, the streams of a caller whose Response Topic lost its subscriber
 * end, and a request without a deadline gets the server's.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WillLessCallersTest {
  private static final Duration PROBE = Duration.ofSeconds(1);
  private static final int STREAMS = 10_100;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void streamsOfADeviceThatLeftWithoutAWillAreReclaimed(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker,
            service -> MqttServerBuilder.forBroker(broker.uri()).clientProbeInterval(PROBE),
            MqttChannelBuilder.forBroker(broker.uri()));
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      rpc.warmUp();
      // 10,100 server streams that never end, without a deadline, from one device.
      String topic = rpc.prefix + "/grpcmqtt.test.v1.TestService/ServerStream";
      byte[] hang = Request.newBuilder().setHang(true).build().toByteArray();
      for (int i = 0; i < STREAMS; i++) {
        MqttProperties p = new MqttProperties();
        p.setResponseTopic(device.replyTopic);
        p.setCorrelationData(ByteBuffer.allocate(4).putInt(i).array());
        MqttMessage m = new MqttMessage(hang);
        m.setQos(1);
        m.setProperties(p);
        device.publishPipelined(topic, m);
      }
      device.awaitPublished();
      int limit = 1_000; // the default per-client limit
      await().atMost(Duration.ofSeconds(60)).until(() -> rpc.service.hanging.get() == limit);
      int[] refused = {0};
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        MqttMessage m;
        while ((m = device.replies.poll()) != null) {
          if ("8".equals(RawMqttClient.property(m, "grpc-status"))) {
            refused[0]++;
          }
        }
        return refused[0] == STREAMS - limit;
      });

      // Everybody else is still served, streams included.
      assertEquals("other", rpc.blocking().unary(text("other")).getText());
      Iterator<Response> stream = rpc.blocking().serverStream(text("s").toBuilder().setCount(3).build());
      int n = 0;
      while (stream.hasNext()) {
        stream.next();
        n++;
      }
      assertEquals(3, n);

      // The device goes away without a will: its Response Topic has no subscriber any more.
      long left = System.nanoTime();
      device.close();
      await().atMost(PROBE.multipliedBy(2).plusSeconds(10)).until(() -> rpc.service.hanging.get() == 0);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left);
      System.out.printf("[%s] %d streams without a deadline from one device: %d run (per-client"
              + " limit), %d refused with RESOURCE_EXHAUSTED; other callers served meanwhile;"
              + " after the device left without a will, its %d streams ended within %d ms"
              + " (probe interval %d ms)%n",
          broker, STREAMS, limit, refused[0], limit, ms, PROBE.toMillis());
      assertTrue(ms < PROBE.multipliedBy(2).plusSeconds(5).toMillis(), "took " + ms + " ms");
      assertEquals("after", rpc.blocking().unary(text("after")).getText());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void oneCallerCannotTakeEverySlot(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker,
            service -> MqttServerBuilder.forBroker(broker.uri()).maxConcurrentCallsPerClient(2),
            MqttChannelBuilder.forBroker(broker.uri()))) {
      rpc.warmUp();
      for (int i = 0; i < 2; i++) {
        rpc.async().serverStream(text("hold").toBuilder().setHang(true).build(),
            CallKindsTest.ending(new CompletableFuture<>()));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> rpc.service.hanging.get() == 2);
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class,
              () -> rpc.blocking().unary(text("third")));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertEquals("the caller at '" + rpc.prefix + "/_reply/" + rpc.channelId + "' is at its"
          + " limit of 2 concurrent calls on this server", e.getStatus().getDescription());
      // Another caller still gets through.
      var other = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(rpc.prefix).build();
      try {
        assertEquals("mine", io.grpcmqtt.test.v1.TestServiceGrpc.newBlockingStub(other)
            .withDeadlineAfter(10, TimeUnit.SECONDS).unary(text("mine")).getText());
      } finally {
        other.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void aRequestWithoutDeadlineGetsTheServersDefault(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker,
            service -> MqttServerBuilder.forBroker(broker.uri()).defaultDeadline(Duration.ofMillis(500)),
            MqttChannelBuilder.forBroker(broker.uri()));
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      device.request(rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary",
          text("hang").toBuilder().setHang(true).build().toByteArray(), new byte[] {1}, null);
      MqttMessage reply = device.nextReply();
      assertEquals("4", RawMqttClient.property(reply, "grpc-status"));
      assertEquals("the request set no deadline and ran into the server's default of 500 ms",
          RawMqttClient.property(reply, "grpc-message"));
      assertEquals("Unary", rpc.service.cancellations.poll(5, TimeUnit.SECONDS));
    }
  }

  private static Request text(String text) {
    return Request.newBuilder().setText(text).build();
  }
}
