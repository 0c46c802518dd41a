package io.grpcmqtt.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Dedicated brokers: stop and start again on the same port, as broker-outage tests do. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FixtureRestartTest {

    @Test
    void mosquittoRestartsOnTheSamePort() throws Exception {
        try (MosquittoBroker broker = Brokers.newMosquitto()) {
            assertEquals("mosquitto", broker.name());
            assertTrue(broker.isRunning());
            outageAndRecovery(broker);
            assertTrue(Files.readString(broker.logFile()).contains("mosquitto version"), "log is written");
        }
    }

    @Test
    void hivemqRestartsOnTheSamePort() throws Exception {
        try (EmbeddedBrokerFixture broker = Brokers.newHivemq()) {
            assertEquals("hivemq", broker.name());
            assertTrue(broker.isRunning());
            outageAndRecovery(broker);
        }
    }

    @Test
    void mosquittoSurvivesAKill() throws Exception {
        try (MosquittoBroker broker = Brokers.newMosquitto();
                PahoProbe client = PahoProbe.connect(broker.uri(), "killed")) {
            broker.kill();
            assertFalse(broker.isRunning());
            await().atMost(Duration.ofSeconds(10)).until(() -> !client.client.isConnected());
            broker.start();
            roundTrip(broker, "after-kill");
        }
    }

    @Test
    void hivemqSettingsSurviveARestart() throws Exception {
        try (EmbeddedBrokerFixture broker = Brokers.newHivemq(b -> b.receiveMaximum(5))) {
            assertReceiveMaximum(broker, 5);
            broker.stop();
            broker.start();
            assertReceiveMaximum(broker, 5);
        }
    }

    @Test
    void closedFixturesStayClosed() {
        MosquittoBroker mosquitto = Brokers.newMosquitto();
        mosquitto.close();
        mosquitto.close();
        assertFalse(mosquitto.isRunning());
        assertFalse(Files.exists(mosquitto.logFile()), "temporary folder deleted");
        assertThrows(IllegalStateException.class, mosquitto::start);
        assertFalse(Loopback.accepts(mosquitto.port()));
    }

    /** Round trip, stop (clients drop, connects fail), start, round trip again on the same port. */
    private static void outageAndRecovery(TestBroker broker) throws Exception {
        int port = broker.port();
        String uri = broker.uri();
        roundTrip(broker, "before");
        try (PahoProbe survivor = PahoProbe.connect(uri, "survivor-" + broker.name())) {
            long t0 = System.nanoTime();
            broker.stop();
            long stopMs = (System.nanoTime() - t0) / 1_000_000;
            broker.stop(); // idempotent
            await().atMost(Duration.ofSeconds(10)).until(() -> !survivor.client.isConnected());
            assertFalse(Loopback.accepts(port), "nothing listens while stopped");
            assertThrows(MqttException.class, () -> PahoProbe.connect(uri, "refused-" + broker.name()).close());

            t0 = System.nanoTime();
            broker.start();
            long startMs = (System.nanoTime() - t0) / 1_000_000;
            broker.start(); // idempotent
            System.out.printf("[timing] %s restart: stop %d ms, start %d ms%n", broker.name(), stopMs, startMs);
        }
        assertEquals(port, broker.port());
        assertEquals(uri, broker.uri());
        roundTrip(broker, "after");
    }

    private static void roundTrip(TestBroker broker, String tag) throws Exception {
        String topic = "grpc/testing/restart/" + broker.name() + "/" + tag;
        try (PahoProbe c = PahoProbe.connect(broker.uri(), "rt-" + broker.name() + "-" + tag)) {
            c.client.subscribe(topic, 1);
            c.publish(topic, new MqttMessage(tag.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false, null));
            assertEquals(topic, c.next().topic());
        }
    }

    private static void assertReceiveMaximum(TestBroker broker, int expected) throws Exception {
        try (PahoProbe c = PahoProbe.connect(broker.uri(), "rm-" + expected)) {
            assertEquals(expected, c.connack().getReceiveMaximum());
        }
    }
}
