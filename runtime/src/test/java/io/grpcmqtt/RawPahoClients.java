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
 * Connected plain Paho v5 clients for tests that must see a broker's behaviour without grpc-mqtt
 * in between (shared-subscription hand-over, hold-backs): clean start, memory persistence,
 * TCP_NODELAY, every message handed to one callback on Paho's thread.
 */
final class RawPahoClients {
  private RawPahoClients() {}

  /** What a client does with each message it receives; {@code self} is that client. */
  interface OnMessage {
    void on(MqttAsyncClient self, MqttMessage message) throws Exception;
  }

  /**
   * A client connected to {@code brokerUri} as {@code id}; with {@code manualAcks} it
   * acknowledges nothing it receives (as a frozen server does, to the broker).
   */
  static MqttAsyncClient connect(String brokerUri, String id, boolean manualAcks, OnMessage on)
      throws MqttException {
    MqttAsyncClient c = new MqttAsyncClient(brokerUri, id, new MemoryPersistence());
    c.setManualAcks(manualAcks);
    c.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse r) {}

      @Override
      public void mqttErrorOccurred(MqttException e) {}

      @Override
      public void messageArrived(String topic, MqttMessage m) throws Exception {
        on.on(c, m);
      }

      @Override
      public void deliveryComplete(IMqttToken token) {}

      @Override
      public void connectComplete(boolean reconnect, String uri) {}

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties p) {}
    });
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(true);
    o.setSocketFactory(NoDelaySocketFactory.plain());
    c.connect(o).waitForCompletion(5_000);
    return c;
  }
}
