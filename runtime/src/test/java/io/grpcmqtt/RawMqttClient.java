package io.grpcmqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/** A plain Paho v5 client with no grpc-mqtt code: what a device does. */
final class RawMqttClient implements AutoCloseable {
  final MqttAsyncClient client;
  final String replyTopic;
  final BlockingQueue<MqttMessage> replies = new LinkedBlockingQueue<>();
  /** The topic of every message received, in order (replies and any extra subscription). */
  final BlockingQueue<String> topics = new LinkedBlockingQueue<>();

  RawMqttClient(String brokerUri) throws MqttException {
    String id = "raw-" + UUID.randomUUID().toString().substring(0, 8);
    replyTopic = "devices/" + id + "/replies";
    client = RawPahoClients.connect(brokerUri, id, false, (self, topic, message) -> {
      topics.add(topic);
      replies.add(message);
    });
    client.subscribe(replyTopic, 1).waitForCompletion(5_000);
  }

  /** Publishes a request whose replies come to {@link #replyTopic}; returns the PUBACK reason. */
  int request(
      String topic, byte[] payload, byte[] correlation, String contentType, UserProperty... props)
      throws MqttException {
    MqttProperties p = new MqttProperties();
    p.setResponseTopic(replyTopic);
    if (correlation != null) {
      p.setCorrelationData(correlation);
    }
    if (contentType != null) {
      p.setContentType(contentType);
    }
    if (props.length > 0) {
      p.setUserProperties(new ArrayList<>(List.of(props)));
    }
    MqttMessage m = new MqttMessage(payload);
    m.setQos(1);
    m.setProperties(p);
    IMqttToken token = publishRetrying(topic, m);
    token.waitForCompletion(5_000);
    int[] codes = token.getReasonCodes();
    return codes == null || codes.length == 0 ? 0 : codes[0];
  }

  /** A one-way publish with no properties at all, as {@code mosquitto_pub} sends it. */
  void publish(String topic, byte[] payload) throws MqttException {
    MqttMessage m = new MqttMessage(payload);
    m.setQos(1);
    publishRetrying(topic, m).waitForCompletion(5_000);
  }

  /**
   * Paho 1.2.5 sometimes refuses a publish with 32202 right after the previous one was acked
   * (eclipse-paho/paho.mqtt.java#993); a device would simply try again.
   */
  private IMqttToken publishRetrying(String topic, MqttMessage m) throws MqttException {
    for (int attempt = 0; ; attempt++) {
      try {
        return client.publish(topic, m);
      } catch (MqttException e) {
        if (e.getReasonCode() != 32202 || attempt >= 100) {
          throw e;
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Publishes a message exactly as given and waits for the broker to take it. */
  void publish(String topic, MqttMessage message) throws MqttException {
    publishRetrying(topic, message).waitForCompletion(5_000);
  }

  private final java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(8);

  /** Publishes without waiting for the PUBACK, at most 8 in flight (below any receive maximum). */
  void publishPipelined(String topic, MqttMessage message) throws Exception {
    if (!window.tryAcquire(10, TimeUnit.SECONDS)) {
      throw new AssertionError("no PUBACK for 10 s");
    }
    for (int attempt = 0; ; attempt++) {
      try {
        client.publish(topic, message, null, new org.eclipse.paho.mqttv5.client.MqttActionListener() {
          @Override
          public void onSuccess(IMqttToken token) {
            window.release();
          }

          @Override
          public void onFailure(IMqttToken token, Throwable cause) {
            window.release();
          }
        });
        return;
      } catch (MqttException e) {
        if (e.getReasonCode() != 32202 || attempt >= 100) {
          window.release();
          throw e;
        }
        Thread.sleep(1);
      }
    }
  }

  /** Waits until every pipelined publish was acknowledged. */
  void awaitPublished() throws InterruptedException {
    if (!window.tryAcquire(8, 10, TimeUnit.SECONDS)) {
      throw new AssertionError("pipelined publishes not acknowledged within 10 s");
    }
    window.release(8);
  }

  MqttMessage nextReply() throws InterruptedException {
    MqttMessage m = replies.poll(10, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no reply within 10 s on " + replyTopic);
    }
    return m;
  }

  static String property(MqttMessage message, String key) {
    for (UserProperty p : message.getProperties().getUserProperties()) {
      if (p.getKey().equals(key)) {
        return p.getValue();
      }
    }
    return null;
  }

  /** Disconnects (a normal DISCONNECT: there is no will to suppress); closing twice is fine. */
  @Override
  public void close() throws MqttException {
    if (closed) {
      return;
    }
    closed = true;
    client.disconnect().waitForCompletion(5_000);
    client.close();
  }

  private boolean closed;
}
