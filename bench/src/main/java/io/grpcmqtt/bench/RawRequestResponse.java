package io.grpcmqtt.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The floor: MQTT 5 request/response with nothing else. A requester publishes with a Response
 * Topic and 8 bytes of Correlation Data; a responder republishes the payload to the Response Topic
 * with the same Correlation Data, from Paho's callback thread. Both clients use NODELAY sockets.
 */
final class RawRequestResponse implements AutoCloseable {
  private final RawClient requester;
  private final RawClient responder;
  private final String requestTopic;
  private final String replyTopic;
  private final int qos;
  private final ConcurrentHashMap<Long, Runnable> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  RawRequestResponse(String uri, int qos) throws MqttException {
    this.qos = qos;
    this.requester = new RawClient(uri, "req");
    this.responder = new RawClient(uri, "rsp");
    this.requestTopic = "bench/raw/" + responder.id + "/req";
    this.replyTopic = "bench/raw/" + requester.id + "/reply";
    responder.subscribe(requestTopic, qos, (topic, message) -> respond(message));
    requester.subscribe(replyTopic, qos, (topic, message) -> replied(message));
  }

  private void respond(MqttMessage request) {
    MqttProperties in = request.getProperties();
    MqttProperties out = new MqttProperties();
    out.setCorrelationData(in.getCorrelationData());
    MqttMessage reply = new MqttMessage(request.getPayload());
    reply.setQos(qos);
    reply.setProperties(out);
    responder.publish(in.getResponseTopic(), reply, () -> {}, t -> {});
  }

  private void replied(MqttMessage reply) {
    byte[] corr = reply.getProperties().getCorrelationData();
    if (corr != null && corr.length == 8) {
      Runnable done = pending.remove(ByteBuffer.wrap(corr).getLong());
      if (done != null) {
        done.run();
      }
    }
  }

  ClosedLoop.Call call(byte[] payload) {
    return (done, failed) -> {
      long id = ids.incrementAndGet();
      pending.put(id, done);
      MqttProperties p = new MqttProperties();
      p.setResponseTopic(replyTopic);
      p.setCorrelationData(ByteBuffer.allocate(8).putLong(id).array());
      MqttMessage m = new MqttMessage(payload);
      m.setQos(qos);
      m.setProperties(p);
      requester.publish(requestTopic, m, () -> {}, t -> {
        if (pending.remove(id) != null) {
          failed.accept(t);
        }
      });
    };
  }

  /** Requests still unanswered (lost QoS 0 messages, or stragglers after a run). */
  int pendingCount() {
    return pending.size();
  }

  /** Forgets unanswered requests, so a lost QoS 0 request does not leak into the next run. */
  void clearPending() {
    pending.clear();
  }

  @Override
  public void close() {
    requester.close();
    responder.close();
  }
}
