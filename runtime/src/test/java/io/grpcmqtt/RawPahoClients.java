package io.grpcmqtt;

import io.grpcmqtt.internal.NoDelaySocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Connected plain Paho v5 clients for tests that must see what a device or a broker does without
 * grpc-mqtt in between (device requests, ACLs, shared-subscription hand-over, hold-backs): memory
 * persistence, by default clean start and TCP_NODELAY, every message handed to one callback on
 * Paho's thread.
 */
final class RawPahoClients {
  private RawPahoClients() {}

  /** What a client does with each message it receives; {@code self} is that client. */
  interface OnMessage {
    void on(MqttAsyncClient self, String topic, MqttMessage message) throws Exception;
  }

  /** Clean start and TCP_NODELAY (devices set it too; with Nagle every PUBACK costs ~40 ms). */
  static MqttConnectionOptions options() {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(true);
    o.setSocketFactory(NoDelaySocketFactory.plain());
    return o;
  }

  /**
   * A client connected to {@code brokerUri} as {@code id} with {@link #options()}, waiting up to 5 s;
   * with {@code manualAcks} it acknowledges nothing it receives (as a frozen server does, to the
   * broker).
   */
  static MqttAsyncClient connect(String brokerUri, String id, boolean manualAcks, OnMessage on)
      throws MqttException {
    return connect(brokerUri, id, manualAcks, options(), 5_000, on);
  }

  /** A client connected with {@code options}, waiting up to {@code timeoutMillis}. */
  static MqttAsyncClient connect(String brokerUri, String id, boolean manualAcks,
      MqttConnectionOptions options, long timeoutMillis, OnMessage on) throws MqttException {
    MqttAsyncClient c = new MqttAsyncClient(brokerUri, id, new MemoryPersistence());
    c.setManualAcks(manualAcks);
    c.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse r) {}

      @Override
      public void mqttErrorOccurred(MqttException e) {}

      @Override
      public void messageArrived(String topic, MqttMessage m) throws Exception {
        on.on(c, topic, m);
      }

      @Override
      public void deliveryComplete(IMqttToken token) {}

      @Override
      public void connectComplete(boolean reconnect, String uri) {}

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties p) {}
    });
    c.connect(options).waitForCompletion(timeoutMillis);
    return c;
  }
}
