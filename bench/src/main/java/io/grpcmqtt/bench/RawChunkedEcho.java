package io.grpcmqtt.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The floor of a large unary call through a broker that caps packets: the requester publishes
 * {@code size} bytes as packets of at most {@code maxPacket} bytes (Response Topic and Correlation
 * Data on each, nothing else), the responder sends the same number of bytes back the same way
 * once it has them all, and the call ends when the requester has them all. QoS 1 both ways.
 */
final class RawChunkedEcho implements AutoCloseable {
  private final RawClient requester;
  private final RawClient responder;
  private final String requestTopic;
  private final String replyTopic;
  private final int size;
  private final int part;
  private final ConcurrentHashMap<Long, Runnable> pending = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, AtomicLong> requestBytes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, AtomicLong> replyBytes = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  RawChunkedEcho(String uri, int size, int maxPacket) throws MqttException {
    this.size = size;
    this.requester = new RawClient(uri, "req");
    this.responder = new RawClient(uri, "rsp");
    this.requestTopic = "bench/raw/" + responder.id + "/req";
    this.replyTopic = "bench/raw/" + requester.id + "/reply";
    this.part = maxPacket - overhead(Math.max(requestTopic.length(), replyTopic.length()));
    responder.subscribe(requestTopic, 1, (topic, message) -> onRequestPart(message));
    requester.subscribe(replyTopic, 1, (topic, message) -> onReplyPart(message));
  }

  /**
   * The bytes of a packet besides its payload, at most: fixed header (5), topic (2 + its length),
   * packet identifier (2), properties length (4), Response Topic (3 + its length) and Correlation
   * Data (3 + 8).
   */
  static int overhead(int topicLength) {
    return 5 + 2 + topicLength + 2 + 4 + 3 + topicLength + 3 + 8;
  }

  private void onRequestPart(MqttMessage message) {
    MqttProperties in = message.getProperties();
    long id = ByteBuffer.wrap(in.getCorrelationData()).getLong();
    long have = requestBytes.computeIfAbsent(id, k -> new AtomicLong())
        .addAndGet(message.getPayload().length);
    if (have >= size) {
      requestBytes.remove(id);
      send(responder, in.getResponseTopic(), null, in.getCorrelationData(), () -> {});
    }
  }

  private void onReplyPart(MqttMessage message) {
    long id = ByteBuffer.wrap(message.getProperties().getCorrelationData()).getLong();
    long have = replyBytes.computeIfAbsent(id, k -> new AtomicLong())
        .addAndGet(message.getPayload().length);
    if (have >= size) {
      replyBytes.remove(id);
      Runnable done = pending.remove(id);
      if (done != null) {
        done.run();
      }
    }
  }

  /** Publishes {@code size} bytes to {@code topic} in packets that fit. */
  private void send(RawClient client, String topic, String responseTopic, byte[] correlation,
      Runnable failed) {
    for (int offset = 0; offset < size; offset += part) {
      MqttProperties p = new MqttProperties();
      p.setCorrelationData(correlation);
      if (responseTopic != null) {
        p.setResponseTopic(responseTopic);
      }
      MqttMessage m = new MqttMessage(new byte[Math.min(part, size - offset)]);
      m.setQos(1);
      m.setProperties(p);
      client.publish(topic, m, () -> {}, t -> failed.run());
    }
  }

  ClosedLoop.Call call() {
    return (done, failed) -> {
      long id = ids.incrementAndGet();
      pending.put(id, done);
      byte[] correlation = ByteBuffer.allocate(8).putLong(id).array();
      send(requester, requestTopic, replyTopic, correlation, () -> {
        if (pending.remove(id) != null) {
          failed.accept(new IllegalStateException(
              "publish failed: " + new String(correlation, StandardCharsets.ISO_8859_1)));
        }
      });
    };
  }

  @Override
  public void close() {
    requester.close();
    responder.close();
  }
}
