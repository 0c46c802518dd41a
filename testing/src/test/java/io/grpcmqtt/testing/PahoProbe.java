package io.grpcmqtt.testing;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttConnAck;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A Paho MQTT 5 client for tests that records what arrives. */
final class PahoProbe implements AutoCloseable {

    record Received(String topic, MqttMessage message) {}

    final MqttClient client;
    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    IMqttToken connectToken;

    PahoProbe(String uri, String clientId) throws MqttException {
        client = new MqttClient(uri, clientId, new MemoryPersistence());
        client.setTimeToWait(10_000);
        client.setCallback(new MqttCallback() {
            @Override public void disconnected(MqttDisconnectResponse r) {}
            @Override public void mqttErrorOccurred(MqttException e) {}
            @Override public void messageArrived(String topic, MqttMessage m) { received.add(new Received(topic, m)); }
            @Override public void deliveryComplete(IMqttToken t) {}
            @Override public void connectComplete(boolean reconnect, String serverURI) {}
            @Override public void authPacketArrived(int reasonCode, MqttProperties p) {}
        });
    }

    static PahoProbe connect(String uri, String clientId) throws MqttException {
        return connect(uri, clientId, defaultOptions());
    }

    static PahoProbe connect(String uri, String clientId, MqttConnectionOptions options) throws MqttException {
        PahoProbe p = new PahoProbe(uri, clientId);
        p.connectToken = p.client.connectWithResult(options);
        return p;
    }

    static MqttConnectionOptions defaultOptions() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        return o;
    }

    MqttProperties connack() {
        return ((MqttConnAck) connectToken.getResponse()).getProperties();
    }

    /**
     * Publishes and waits for the acknowledgement, retrying (bounded) when Paho refuses with
     * "Too many publishes in progress": Paho 1.2.5's MQTT 5 client releases its in-flight slot
     * only after the publish has been reported complete, so back-to-back synchronous publishes
     * against a small server receive maximum (Mosquitto's 20) sporadically hit a stale count
     * (eclipse-paho/paho.mqtt.java#993).
     */
    void publish(String topic, MqttMessage message) throws MqttException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                client.publish(topic, message);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT || attempt == 100) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no message arrived within 10 s");
        }
        return r;
    }

    @Override
    public void close() throws MqttException {
        try {
            if (client.isConnected()) {
                client.disconnect(5_000);
            }
        } finally {
            client.close(true);
        }
    }
}
