package io.grpcmqtt.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The shared brokers, through a real Paho MQTT 5 client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BrokersTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.grpcmqtt.testing.Brokers#both")
    void qos1RoundTripKeepsUserPropertiesResponseTopicAndCorrelationData(TestBroker broker) throws Exception {
        String topic = "grpc/testing/rt/" + broker.name();
        try (PahoProbe sub = PahoProbe.connect(broker.uri(), "rt-sub-" + broker.name());
                PahoProbe pub = PahoProbe.connect(broker.uri(), "rt-pub-" + broker.name())) {
            sub.client.subscribe(topic, 1);

            List<UserProperty> userProperties = List.of(
                    new UserProperty("grpc-method", "pkg.Service/Call"),
                    new UserProperty("dup", "1"),
                    new UserProperty("dup", "2"),
                    new UserProperty("unicode", "h\u00e9llo \u2603"));
            byte[] correlation = {0, 1, 2, (byte) 0xff, (byte) 0x80, 42};
            MqttProperties props = new MqttProperties();
            props.setUserProperties(userProperties);
            props.setResponseTopic("grpc/testing/reply/" + broker.name());
            props.setCorrelationData(correlation);
            byte[] payload = {9, 0, 8, 0, 7};
            pub.publish(topic, new MqttMessage(payload, 1, false, props));

            PahoProbe.Received got = sub.next();
            assertEquals(topic, got.topic());
            assertEquals(1, got.message().getQos());
            assertArrayEquals(payload, got.message().getPayload());
            MqttProperties gotProps = got.message().getProperties();
            assertEquals(userProperties, gotProps.getUserProperties());
            assertEquals("grpc/testing/reply/" + broker.name(), gotProps.getResponseTopic());
            assertArrayEquals(correlation, gotProps.getCorrelationData());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.grpcmqtt.testing.Brokers#both")
    void sharedBrokersAreSingletonsAndCannotBeStopped(TestBroker broker) {
        TestBroker again = broker.name().equals("hivemq") ? Brokers.hivemq() : Brokers.mosquitto();
        assertSame(broker, again);
        assertEquals(broker.name(), broker.toString());
        assertEquals("127.0.0.1", broker.host());
        assertEquals("tcp://127.0.0.1:" + broker.port(), broker.uri());
        assertThrows(UnsupportedOperationException.class, broker::stop);
        assertThrows(UnsupportedOperationException.class, broker::start);
    }

    @Test
    void bothNamesHivemqThenMosquitto() {
        assertEquals(List.of("hivemq", "mosquitto"),
                Brokers.both().map(TestBroker::name).collect(Collectors.toList()));
    }

    @Test
    void hivemqAdvertisesTheRaisedReceiveMaximum() throws Exception {
        try (PahoProbe c = PahoProbe.connect(Brokers.hivemq().uri(), "rm-hivemq")) {
            assertEquals(1000, c.connack().getReceiveMaximum());
        }
    }

    @Test
    void mosquittoAdvertisesItsDefaultReceiveMaximum() throws Exception {
        // max_inflight_messages is left at Mosquitto's default, so clients meet a small window.
        try (PahoProbe c = PahoProbe.connect(Brokers.mosquitto().uri(), "rm-mosquitto")) {
            assertEquals(20, c.connack().getReceiveMaximum());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.grpcmqtt.testing.Brokers#both")
    void queuesMoreThanAThousandMessagesForAnOfflineClient(TestBroker broker) throws Exception {
        // Both brokers default to 1000 queued messages per client; the fixtures raise it to 100 000.
        int n = 1200;
        String id = "queue-" + broker.name();
        String topic = "grpc/testing/queue/" + broker.name();
        MqttConnectionOptions persistent = PahoProbe.defaultOptions();
        persistent.setCleanStart(false);
        persistent.setSessionExpiryInterval(300L);
        try (PahoProbe sub = PahoProbe.connect(broker.uri(), id, persistent)) {
            sub.client.subscribe(topic, 1);
        }
        try (PahoProbe pub = PahoProbe.connect(broker.uri(), id + "-pub")) {
            for (int i = 0; i < n; i++) {
                pub.publish(topic, new MqttMessage(Integer.toString(i).getBytes(UTF_8), 1, false, null));
            }
        }
        try (PahoProbe sub = PahoProbe.connect(broker.uri(), id, persistent)) {
            assertTrue(sub.connectToken.getSessionPresent());
            await().atMost(Duration.ofSeconds(30)).during(Duration.ofMillis(300))
                    .until(() -> sub.received.size() == n);
        }
    }
}
