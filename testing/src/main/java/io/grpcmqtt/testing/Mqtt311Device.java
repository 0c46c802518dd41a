package io.grpcmqtt.testing;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A device that speaks MQTT 3.1.1 only (Paho's v3 client, CONNECT with protocol level 4): no
 * Response Topic, no Correlation Data, no user properties, which is what the MQTT 3.1.1 binding of
 * docs/protocol.md §14 serves. Everything it receives is queued, topic and payload.
 *
 * <pre>{@code
 * try (Mqtt311Device device = Mqtt311Device.connect(broker.uri(), "dev1", null)) {
 *   device.subscribe("grpc/_311/res/dev1/#");
 *   device.publish("grpc/_311/req/dev1/1/json/grpc/pkg.Service/Method", "{}");
 *   Mqtt311Device.Received reply = device.next();
 * }
 * }</pre>
 */
public final class Mqtt311Device implements AutoCloseable {
    /** One received PUBLISH: all a 3.1.1 client gets. */
    public record Received(String topic, byte[] payload) {
        /** The payload as UTF-8 text. */
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The last topic level: the status code of a 3.1.1 reply. */
        public String lastLevel() {
            return topic.substring(topic.lastIndexOf('/') + 1);
        }
    }

    private final MqttClient client;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private Mqtt311Device(MqttClient client) {
        this.client = client;
    }

    /** Connects as {@code clientId} with a clean session; {@code sockets} may be null (default). */
    public static Mqtt311Device connect(String brokerUri, String clientId, SocketFactory sockets)
            throws MqttException {
        return connect(brokerUri, clientId, sockets, null, null);
    }

    /** {@link #connect(String, String, SocketFactory)} with a user name and password. */
    public static Mqtt311Device connect(
            String brokerUri, String clientId, SocketFactory sockets, String user, String password)
            throws MqttException {
        MqttClient client = new MqttClient(brokerUri, clientId, new MemoryPersistence());
        Mqtt311Device device = new Mqtt311Device(client);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {}

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                device.received.add(new Received(topic, message.getPayload()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setConnectionTimeout(10);
        options.setMaxInflight(100);
        if (sockets != null) {
            options.setSocketFactory(sockets);
        }
        if (user != null) {
            options.setUserName(user);
            options.setPassword(password.toCharArray());
        }
        client.setTimeToWait(10_000);
        client.connect(options);
        return device;
    }

    /** Subscribes at QoS 1 and waits for the SUBACK. */
    public void subscribe(String filter) throws MqttException {
        client.subscribe(filter, 1);
    }

    /** Publishes at QoS 1 and waits for the PUBACK. */
    public void publish(String topic, byte[] payload) throws MqttException {
        client.publish(topic, payload, 1, false);
    }

    /** {@link #publish(String, byte[])} of UTF-8 text. */
    public void publish(String topic, String payload) throws MqttException {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** The next message received, waiting at most 10 s; fails the test when none comes. */
    public Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no message within 10 s");
        }
        return r;
    }

    /** The next message received within {@code millis}, or null. */
    public Received poll(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(5_000);
        }
        client.close();
    }
}
