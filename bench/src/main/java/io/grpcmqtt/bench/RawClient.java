package io.grpcmqtt.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * A plain Paho v5 async client with no grpc-mqtt code: NODELAY sockets, memory persistence,
 * everything it receives handed to one handler on Paho's callback thread.
 */
final class RawClient implements RawMqtt {
  private static final int MAX_INFLIGHT = 32202;
  /** Paho's spurious 32202 right after an ack (paho.mqtt.java#993) is retried from here. */
  private static final ScheduledExecutorService RETRY =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "raw-publish-retry");
        t.setDaemon(true);
        return t;
      });

  final MqttAsyncClient client;
  final String id;
  private volatile BiConsumer<String, MqttMessage> handler = (t, m) -> {};

  RawClient(String uri, String role) throws MqttException {
    id = "bench-" + role + "-" + UUID.randomUUID().toString().substring(0, 8);
    client = new MqttAsyncClient(uri, id, new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse r) {}

      @Override
      public void mqttErrorOccurred(MqttException e) {}

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        handler.accept(topic, message);
      }

      @Override
      public void deliveryComplete(IMqttToken token) {}

      @Override
      public void connectComplete(boolean reconnect, String serverUri) {}

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    });
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setSocketFactory(new NoDelaySockets());
    options.setReceiveMaximum(65_535);
    client.connect(options).waitForCompletion(10_000);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public void subscribe(String filter, int qos, Consumer<Received> handler) throws MqttException {
    subscribe(filter, qos, (topic, m) -> handler.accept(new Received() {
      @Override
      public byte[] payload() {
        return m.getPayload();
      }

      @Override
      public String responseTopic() {
        return m.getProperties().getResponseTopic();
      }

      @Override
      public byte[] correlation() {
        return m.getProperties().getCorrelationData();
      }

      @Override
      public String userProperty(String key) {
        for (UserProperty p : m.getProperties().getUserProperties()) {
          if (p.getKey().equals(key)) {
            return p.getValue();
          }
        }
        return null;
      }
    }));
  }

  @Override
  public void publish(String topic, byte[] payload, int qos, String responseTopic,
      byte[] correlation, RawMqtt.Extras extras, Runnable sent, Consumer<Throwable> failed) {
    MqttMessage m = new MqttMessage(payload);
    m.setQos(qos);
    if (extras != null) {
      m.setProperties(properties(responseTopic, correlation, extras));
    } else if (responseTopic != null || correlation != null) {
      MqttProperties p = new MqttProperties();
      if (responseTopic != null) {
        p.setResponseTopic(responseTopic);
      }
      if (correlation != null) {
        p.setCorrelationData(correlation);
      }
      m.setProperties(p);
    }
    publish(topic, m, sent, failed);
  }

  /** The properties of a frame with extras (Paho encodes them in an order of its own). */
  private static MqttProperties properties(String responseTopic, byte[] correlation,
      RawMqtt.Extras extras) {
    MqttProperties p = new MqttProperties();
    if (responseTopic != null) {
      p.setResponseTopic(responseTopic);
    }
    if (correlation != null) {
      p.setCorrelationData(correlation);
    }
    if (extras.expirySeconds() >= 0) {
      p.setMessageExpiryInterval(extras.expirySeconds());
    }
    List<String> kv = extras.userProperties();
    List<UserProperty> user = new ArrayList<>(kv.size() / 2);
    for (int i = 0; i + 1 < kv.size(); i += 2) {
      user.add(new UserProperty(kv.get(i), kv.get(i + 1)));
    }
    p.setUserProperties(user);
    return p;
  }

  /** Subscribes and waits for the SUBACK; {@code handler} gets every message from then on. */
  void subscribe(String filter, int qos, BiConsumer<String, MqttMessage> handler)
      throws MqttException {
    this.handler = handler;
    client.subscribe(filter, qos).waitForCompletion(10_000);
  }

  /**
   * Publishes without blocking; {@code sent} runs on the PUBACK (QoS 1) or once written (QoS 0),
   * {@code failed} on an error.
   */
  void publish(String topic, MqttMessage message, Runnable sent, Consumer<Throwable> failed) {
    publish(topic, message, sent, failed, 0);
  }

  private void publish(String topic, MqttMessage message, Runnable sent,
      Consumer<Throwable> failed, int attempt) {
    try {
      client.publish(topic, message, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          sent.run();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable cause) {
          failed.accept(cause == null ? token.getException() : cause);
        }
      });
    } catch (MqttException e) {
      if (e.getReasonCode() == MAX_INFLIGHT && attempt < 10_000) {
        RETRY.schedule(() -> publish(topic, message, sent, failed, attempt + 1), 100,
            TimeUnit.MICROSECONDS);
      } else {
        failed.accept(e);
      }
    }
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect(1_000).waitForCompletion(2_000);
      }
    } catch (MqttException e) {
      // the benchmark is over for this client either way
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      // already closed
    }
  }
}
