package io.grpcmqtt.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/** A plain Paho v5 client with no grpc-mqtt code, for publishing and watching topics in tests. */
final class Mqtt implements AutoCloseable {
  record Received(String topic, MqttMessage message) {
    String property(String key) {
      List<UserProperty> props = message.getProperties().getUserProperties();
      for (UserProperty p : props == null ? List.<UserProperty>of() : props) {
        if (p.getKey().equals(key)) {
          return p.getValue();
        }
      }
      return null;
    }
  }

  final MqttAsyncClient client;
  final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

  Mqtt(String brokerUri) throws MqttException {
    client = new MqttAsyncClient(brokerUri, "test-" + UUID.randomUUID().toString().substring(0, 8),
        new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse r) {}

      @Override
      public void mqttErrorOccurred(MqttException e) {}

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        received.add(new Received(topic, message));
      }

      @Override
      public void deliveryComplete(IMqttToken token) {}

      @Override
      public void connectComplete(boolean reconnect, String uri) {}

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties p) {}
    });
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    client.connect(options).waitForCompletion(10_000);
  }

  void subscribe(String filter) throws MqttException {
    client.subscribe(filter, 1).waitForCompletion(10_000);
  }

  void publish(String topic, byte[] payload, UserProperty... props) throws MqttException {
    MqttProperties p = new MqttProperties();
    if (props.length > 0) {
      p.setUserProperties(new ArrayList<>(List.of(props)));
    }
    publish(topic, payload, p);
  }

  /**
   * A request as a device makes it: answers go to {@code responseTopic} (subscribe to it first),
   * with {@code correlation} (null for none).
   */
  void request(String topic, byte[] payload, String responseTopic, String correlation, String contentType,
      UserProperty... props) throws MqttException {
    MqttProperties p = new MqttProperties();
    p.setResponseTopic(responseTopic);
    if (correlation != null) {
      p.setCorrelationData(correlation.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    p.setContentType(contentType);
    if (props.length > 0) {
      p.setUserProperties(new ArrayList<>(List.of(props)));
    }
    publish(topic, payload, p);
  }

  void publish(String topic, byte[] payload, MqttProperties props) throws MqttException {
    MqttMessage m = new MqttMessage(payload);
    m.setQos(1);
    m.setProperties(props);
    for (int attempt = 0; ; attempt++) {
      try {
        client.publish(topic, m).waitForCompletion(10_000);
        return;
      } catch (MqttException e) {
        // Paho 1.2.5 sometimes refuses a publish right after an ack (32202): try again.
        if (e.getReasonCode() != 32202 || attempt >= 100) {
          throw e;
        }
        sleep(1);
      }
    }
  }

  Received next() throws InterruptedException {
    Received r = received.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("nothing arrived within 10 s");
    }
    return r;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws MqttException {
    client.disconnect().waitForCompletion(5_000);
    client.close();
  }
}
