package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forged and hostile chunks from a plain MQTT client: headers that contradict each other, a
 * message above the limit, chunks on the request topic, a message that never completes, too many
 * incomplete messages. Each gets its status where a reply is possible, and the server keeps
 * serving real calls.
 */
class ChunkAbuseTest {
  private static final AtomicInteger CORRELATION = new AtomicInteger();
  private static final String STREAM = "/grpcmqtt.test.v1.TestService/ClientStream";

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void hostileChunksGetTheirStatusAndTheServerKeepsServing(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker,
            service -> MqttServerBuilder.forBroker(broker.uri())
                .maxInboundMessageSize(1_000_000)
                .chunkReassemblyTimeout(Duration.ofSeconds(1)),
            MqttChannelBuilder.forBroker(broker.uri()));
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      rpc.warmUp();

      // A chunk on the request topic: every chunk could reach another server of the group.
      device.request(rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary", new byte[10],
          corr(), null, new UserProperty("grpc-chunk", "0/2/20"));
      expectStatus(device, Status.Code.INVALID_ARGUMENT, "a chunked message cannot start a call");

      // Malformed headers.
      for (String bad : new String[] {"x", "3/2/20", "0/0/0", "0/2/1", "0/2/-5"}) {
        Call call = open(rpc, device);
        call.send(device, new byte[5], "1", bad);
        expectStatus(device, Status.Code.INVALID_ARGUMENT, "invalid grpc-chunk '" + bad + "'");
      }

      // Headers that contradict each other within one message.
      Call inconsistent = open(rpc, device);
      inconsistent.send(device, new byte[10], "1", "0/3/30");
      inconsistent.send(device, new byte[10], "1", "1/4/30");
      expectStatus(device, Status.Code.INVALID_ARGUMENT, "inconsistent grpc-chunk '1/4/30'");

      // Chunks holding more than the message they announce.
      Call overfull = open(rpc, device);
      overfull.send(device, new byte[15], "1", "0/2/20");
      overfull.send(device, new byte[15], "1", "1/2/20");
      expectStatus(device, Status.Code.INVALID_ARGUMENT, "more than the announced size");

      // A message above the server's limit: refused at its first chunk, nothing buffered.
      Call tooBig = open(rpc, device);
      tooBig.send(device, new byte[10], "1", "5/100/2000000000");
      expectStatus(device, Status.Code.RESOURCE_EXHAUSTED,
          "request message of 2000000000 bytes is larger than the limit of 1000000 bytes");

      // Too many messages incomplete at once.
      Call many = open(rpc, device);
      for (int seq = 1; seq <= 5; seq++) {
        many.send(device, new byte[10], Integer.toString(seq), "0/2/20");
      }
      expectStatus(device, Status.Code.RESOURCE_EXHAUSTED, "chunked request messages incomplete");

      // A message that never completes: the call fails after the reassembly timeout.
      Call stalled = open(rpc, device);
      stalled.send(device, new byte[10], "1", "0/3/30");
      stalled.send(device, new byte[10], "1", "2/3/30");
      long start = System.nanoTime();
      expectStatus(device, Status.Code.UNAVAILABLE, "has had 2 of its 3 chunks");
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));

      // Duplicated and reordered chunks of a good message still make one message.
      Call good = open(rpc, device);
      byte[] request = Request.newBuilder().setText("reassembled").build().toByteArray();
      int half = request.length / 2;
      byte[] tail = java.util.Arrays.copyOfRange(request, half, request.length);
      byte[] head = java.util.Arrays.copyOf(request, half);
      String size = Integer.toString(request.length);
      good.send(device, tail, "1", "1/2/" + size);
      good.send(device, tail, "1", "1/2/" + size);
      good.send(device, head, "1", "0/2/" + size);
      good.send(device, head, "1", "0/2/" + size);
      good.halfClose(device, "2");
      MqttMessage reply = nextFinal(device);
      assertEquals("0", RawMqttClient.property(reply, "grpc-status"));
      assertEquals("reassembled",
          io.grpcmqtt.test.v1.Response.parseFrom(reply.getPayload()).getText());

      assertEquals("still here",
          rpc.blocking().unary(Request.newBuilder().setText("still here").build()).getText());
    }
  }

  /** A client-streaming call a raw client opened: its key and the server's call topic. */
  private static final class Call {
    final byte[] correlation;
    final String topic;

    Call(byte[] correlation, String topic) {
      this.correlation = correlation;
      this.topic = topic;
    }

    void send(RawMqttClient device, byte[] payload, String seq, String chunk) throws Exception {
      publish(device, payload, new UserProperty("grpc-seq", seq), new UserProperty("grpc-chunk", chunk));
    }

    void halfClose(RawMqttClient device, String seq) throws Exception {
      publish(device, new byte[0], new UserProperty("grpc-ctl", "half-close"),
          new UserProperty("grpc-seq", seq));
    }

    private void publish(RawMqttClient device, byte[] payload, UserProperty... props)
        throws Exception {
      MqttProperties p = new MqttProperties();
      p.setResponseTopic(device.replyTopic);
      p.setCorrelationData(correlation);
      p.setUserProperties(new ArrayList<>(List.of(props)));
      MqttMessage m = new MqttMessage(payload);
      m.setQos(1);
      m.setProperties(p);
      device.publish(topic, m);
    }
  }

  private static Call open(Rpc rpc, RawMqttClient device) throws Exception {
    byte[] correlation = corr();
    device.request(rpc.prefix + STREAM, new byte[0], correlation, null,
        new UserProperty("grpc-ctl", "open"), new UserProperty("grpc-seq", "0"),
        new UserProperty("grpc-timeout", "20S"));
    MqttMessage accept = device.nextReply();
    assertEquals("accept", RawMqttClient.property(accept, "grpc-ctl"));
    String topic = RawMqttClient.property(accept, "grpc-call-topic");
    assertNotNull(topic);
    return new Call(correlation, topic);
  }

  private static byte[] corr() {
    return ("abuse-" + CORRELATION.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
  }

  /** The next reply that ends a call, skipping credit frames. */
  private static MqttMessage nextFinal(RawMqttClient device) throws InterruptedException {
    for (int i = 0; i < 20; i++) {
      MqttMessage m = device.nextReply();
      if (RawMqttClient.property(m, "grpc-status") != null) {
        return m;
      }
    }
    throw new AssertionError("no final reply among 20");
  }

  private static void expectStatus(RawMqttClient device, Status.Code code, String text)
      throws InterruptedException {
    MqttMessage reply = nextFinal(device);
    String message = RawMqttClient.property(reply, "grpc-message");
    assertEquals(Integer.toString(code.value()), RawMqttClient.property(reply, "grpc-status"),
        "status for '" + text + "': " + message);
    assertTrue(message != null && message.contains(text), "'" + message + "' lacks '" + text + "'");
  }
}
