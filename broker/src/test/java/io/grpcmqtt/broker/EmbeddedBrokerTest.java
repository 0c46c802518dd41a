package io.grpcmqtt.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.configuration.service.FullConfigurationService;
import com.hivemq.configuration.service.MqttConfigurationService;
import com.hivemq.configuration.service.PersistenceConfigurationService;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starts real embedded brokers and checks every configured setting with a real Paho v5 client. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EmbeddedBrokerTest {

    /*
     * Closing an embedded HiveMQ takes about 4 s (HiveMQ waits out a 2 s Netty quiet period and then
     * about 2 s for its persistence executor), so tests share these two brokers where they can.
     */
    /** A broker with every default. */
    private static EmbeddedBroker defaults;
    /** A broker with every limit changed from its default. */
    private static EmbeddedBroker custom;

    @BeforeAll
    static void startSharedBrokers() {
        long t0 = System.nanoTime();
        defaults = EmbeddedBroker.builder().port(0).start();
        long t1 = System.nanoTime();
        custom = EmbeddedBroker.builder().port(0)
                .receiveMaximum(777).maxPacketSize(65_536).maxQueuedMessages(20).start();
        long t2 = System.nanoTime();
        System.out.printf("[timing] embedded HiveMQ start: first in this JVM (cold) %d ms, second %d ms%n",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    }

    @AfterAll
    static void stopSharedBrokers() throws Exception {
        // Close both at once: each close mostly waits.
        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> closeIfStarted(defaults));
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> closeIfStarted(custom));
        CompletableFuture.allOf(a, b).get(60, TimeUnit.SECONDS);
    }

    private static void closeIfStarted(EmbeddedBroker broker) {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void uriHostAndPortDescribeTheListener() {
        assertEquals("127.0.0.1", defaults.host());
        assertTrue(defaults.port() > 0);
        assertEquals("tcp://127.0.0.1:" + defaults.port(), defaults.uri());
    }

    @Test
    void qos1RoundTripKeepsUserPropertiesResponseTopicAndCorrelationData() throws Exception {
        try (PahoProbe sub = PahoProbe.connect(defaults.uri(), "rt-sub");
                PahoProbe pub = PahoProbe.connect(defaults.uri(), "rt-pub")) {
            sub.client.subscribe("grpc/rt/+", 1);

            MqttProperties props = new MqttProperties();
            List<UserProperty> userProperties = List.of(
                    new UserProperty("grpc-method", "pkg.Service/Call"),
                    new UserProperty("k", "v1"),
                    new UserProperty("k", "v2"), // repeated keys must survive, in order
                    new UserProperty("unicode", "h\u00e9llo \u2603"));
            props.setUserProperties(userProperties);
            props.setResponseTopic("grpc/reply/client-1");
            byte[] correlation = {0, 1, 2, (byte) 0xff, (byte) 0x80, 42};
            props.setCorrelationData(correlation);
            props.setMessageExpiryInterval(120L);
            MqttMessage message = new MqttMessage("payload \u0000 bytes".getBytes(UTF_8), 1, false, props);
            pub.publish("grpc/rt/x", message);

            PahoProbe.Received got = sub.next();
            assertEquals("grpc/rt/x", got.topic());
            assertEquals(1, got.message().getQos());
            assertArrayEquals(message.getPayload(), got.message().getPayload());
            MqttProperties gotProps = got.message().getProperties();
            assertEquals(userProperties, gotProps.getUserProperties());
            assertEquals("grpc/reply/client-1", gotProps.getResponseTopic());
            assertArrayEquals(correlation, gotProps.getCorrelationData());
            // Message expiry is supported: forwarded, counted down by the time spent at the broker.
            assertNotNull(gotProps.getMessageExpiryInterval());
            assertTrue(gotProps.getMessageExpiryInterval() <= 120L && gotProps.getMessageExpiryInterval() >= 110L,
                    "expiry " + gotProps.getMessageExpiryInterval());
        }
    }

    @Test
    void connackAdvertisesDefaultReceiveMaximumAndFeatures() throws Exception {
        try (PahoProbe c = PahoProbe.connect(defaults.uri(), "connack-defaults")) {
            MqttProperties connack = c.connack();
            assertEquals(1000, connack.getReceiveMaximum(), "server receive maximum");
            // 268435460 is the protocol maximum, which MQTT 5 says the server leaves out of CONNACK.
            assertNull(connack.getMaximumPacketSize(), "maximum packet size (absent = unlimited)");
            // Absent means "available"; Paho reports the absent booleans as their protocol defaults.
            assertNotEquals(Boolean.FALSE, connack.isRetainAvailable(), "retain available");
            assertTrue(connack.isWildcardSubscriptionsAvailable(), "wildcard subscriptions available");
            assertTrue(connack.isSharedSubscriptionAvailable(), "shared subscriptions available");
            assertTrue(connack.isSubscriptionIdentifiersAvailable(), "subscription identifiers available");
            assertNull(connack.getMaximumQoS(), "maximum QoS (absent = 2)");
        }
    }

    @Test
    void connackAdvertisesConfiguredReceiveMaximumAndPacketSize() throws Exception {
        try (PahoProbe c = PahoProbe.connect(custom.uri(), "connack-custom")) {
            assertEquals(777, c.connack().getReceiveMaximum());
            assertEquals(65_536L, c.connack().getMaximumPacketSize());

            // And the packet size limit is enforced: a too-large publish costs the connection.
            try {
                c.client.publish("grpc/big", new MqttMessage(new byte[70_000], 0, false, new MqttProperties()));
            } catch (MqttException e) {
                // The broker may drop the connection before Paho reports the write done; then the
                // publish itself fails (32000, timed out) instead of the connection going later.
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !c.client.isConnected());
        }
    }

    @Test
    void parsedConfigurationIsTheOneWritten() throws Exception {
        for (EmbeddedBroker broker : List.of(defaults, custom)) {
            boolean isDefault = broker == defaults;
            FullConfigurationService config = configurationOf(broker);
            assertFalse(config.usageStatisticsConfiguration().isEnabled(), "anonymous usage statistics");
            assertEquals(PersistenceConfigurationService.PersistenceMode.IN_MEMORY,
                    config.persistenceConfigurationService().getMode());
            MqttConfigurationService mqtt = config.mqttConfiguration();
            assertEquals(isDefault ? 1000 : 777, mqtt.serverReceiveMaximum());
            assertEquals(isDefault ? 100_000 : 20, mqtt.maxQueuedMessages());
            assertEquals(isDefault ? 268_435_460 : 65_536, mqtt.maxPacketSize());
            assertEquals(MqttConfigurationService.QueuedMessagesStrategy.DISCARD, mqtt.getQueuedMessagesStrategy());
            assertTrue(mqtt.sharedSubscriptionsEnabled());
            assertTrue(mqtt.retainedMessagesEnabled());
            assertTrue(mqtt.wildcardSubscriptionsEnabled());
            assertTrue(mqtt.subscriptionIdentifierEnabled());
            assertEquals(HiveMqConfigXml.MAX_SESSION_EXPIRY_SECONDS, mqtt.maxSessionExpiryInterval());
            assertEquals(HiveMqConfigXml.MAX_MESSAGE_EXPIRY_SECONDS, mqtt.maxMessageExpiryInterval());
        }
        // The usage statistics thread is only ever created when statistics are enabled.
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("usage-statistics")));
    }

    @Test
    void defaultQueueHoldsMoreThanHiveMqsOwnDefaultOf1000() throws Exception {
        queueThenExpectDelivered(defaults, "q-default", 1500, 1500);
    }

    @Test
    void queueLimitIsApplied() throws Exception {
        queueThenExpectDelivered(custom, "q-small", 30, 20);
    }

    /**
     * Subscribes with a persistent session, goes offline, has {@code n} QoS 1 messages published,
     * comes back and expects exactly {@code expected} of them (the queue's limit discards the rest).
     * Also checks the session survived (session expiry is honoured).
     */
    private static void queueThenExpectDelivered(EmbeddedBroker broker, String id, int n, int expected)
            throws Exception {
        MqttConnectionOptions persistent = PahoProbe.defaultOptions();
        persistent.setCleanStart(false);
        persistent.setSessionExpiryInterval(300L);
        String topic = "grpc/queue/" + id;
        try (PahoProbe sub = PahoProbe.connect(broker.uri(), id, persistent)) {
            sub.client.subscribe(topic, 1);
        }
        try (PahoProbe pub = PahoProbe.connect(broker.uri(), id + "-pub")) {
            for (int i = 0; i < n; i++) {
                pub.publish(topic, new MqttMessage(Integer.toString(i).getBytes(UTF_8), 1, false, null));
            }
        }
        try (PahoProbe sub = PahoProbe.connect(broker.uri(), id, persistent)) {
            assertTrue(sub.connectToken.getSessionPresent(), "session present after reconnect");
            // Exactly `expected` arrive, and no more within a short quiet period.
            await().atMost(Duration.ofSeconds(30)).during(Duration.ofMillis(500))
                    .until(() -> sub.received.size() == expected);
            assertEquals("0", new String(sub.received.peek().message().getPayload(), UTF_8), "oldest kept");
        }
    }

    @Test
    void retainedWildcardAndSharedSubscriptionsWork() throws Exception {
        try (PahoProbe pub = PahoProbe.connect(defaults.uri(), "feat-pub")) {
            pub.publish("grpc/retained/a", new MqttMessage("kept".getBytes(UTF_8), 1, true, null));
            try (PahoProbe late = PahoProbe.connect(defaults.uri(), "feat-late")) {
                late.client.subscribe("grpc/retained/#", 1);
                PahoProbe.Received r = late.next();
                assertEquals("grpc/retained/a", r.topic());
                assertTrue(r.message().isRetained());
            }
            pub.publish("grpc/retained/a", new MqttMessage(new byte[0], 1, true, null)); // clear it

            try (PahoProbe s1 = PahoProbe.connect(defaults.uri(), "feat-s1");
                    PahoProbe s2 = PahoProbe.connect(defaults.uri(), "feat-s2")) {
                s1.client.subscribe("$share/workers/grpc/shared/+", 1);
                s2.client.subscribe("$share/workers/grpc/shared/+", 1);
                int n = 20;
                for (int i = 0; i < n; i++) {
                    pub.publish("grpc/shared/" + i, new MqttMessage(new byte[] {(byte) i}, 1, false, null));
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> s1.received.size() + s2.received.size() >= n);
                Set<String> topics = new HashSet<>();
                s1.received.forEach(r -> topics.add(r.topic()));
                s2.received.forEach(r -> topics.add(r.topic()));
                assertEquals(n, s1.received.size() + s2.received.size(), "each message to one member only");
                assertEquals(n, topics.size());
            }
        }
    }

    @Test
    void listensOnTheGivenLoopbackAddressOnly() throws Exception {
        // 127.0.0.2 is loopback too: a listener on 0.0.0.0 would accept there, ours must not.
        IOException e = assertThrows(IOException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), defaults.port()), 2000);
            }
        });
        assertTrue(e instanceof ConnectException, e.toString());
    }

    @Test
    void startCloseStartInOneJvmReusesThePortAndReleasesIt() throws Exception {
        List<Long> startMs = new ArrayList<>();
        List<Long> closeMs = new ArrayList<>();
        int port;
        long t0 = System.nanoTime();
        EmbeddedBroker first = EmbeddedBroker.builder().port(0).start();
        startMs.add((System.nanoTime() - t0) / 1_000_000);
        port = first.port();
        // Leave a connected client behind so the restart meets TIME_WAIT/close-in-progress sockets.
        PahoProbe client = PahoProbe.connect(first.uri(), "restart-1");
        t0 = System.nanoTime();
        first.close();
        closeMs.add((System.nanoTime() - t0) / 1_000_000);
        client.client.close(true);
        assertTrue(canBind(port), "port free right after close()");

        for (int i = 2; i <= 3; i++) {
            t0 = System.nanoTime();
            try (EmbeddedBroker again = EmbeddedBroker.builder().port(port).start()) {
                startMs.add((System.nanoTime() - t0) / 1_000_000);
                assertEquals(port, again.port());
                try (PahoProbe c = PahoProbe.connect(again.uri(), "restart-" + i)) {
                    c.client.subscribe("grpc/restart", 1);
                    c.publish("grpc/restart", new MqttMessage(new byte[] {1}, 1, false, null));
                    assertEquals("grpc/restart", c.next().topic());
                }
                t0 = System.nanoTime();
            }
            closeMs.add((System.nanoTime() - t0) / 1_000_000);
            assertTrue(canBind(port), "port free right after close()");
        }
        System.out.printf("[timing] warm embedded HiveMQ start ms: %s, close ms: %s%n", startMs, closeMs);
    }

    @Test
    void closeIsIdempotentAndDeletesOnlyItsOwnFolders(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("hivemq-data");
        EmbeddedBroker broker = EmbeddedBroker.builder().port(0).dataDir(dataDir).start();
        Path conf = broker.workDir().resolve("conf");
        assertTrue(Files.isRegularFile(conf.resolve("config.xml")));
        broker.close();
        broker.close();
        assertFalse(Files.exists(conf), "temporary config folder deleted");
        assertTrue(Files.isDirectory(dataDir), "a given data folder is kept");
        assertTrue(broker.toString().contains("closed"));
    }

    @Test
    void portInUseFailsWithAClearMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> EmbeddedBroker.builder().port(taken.getLocalPort()).start());
            assertTrue(e.getMessage().contains("already in use"), e.getMessage());
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void twoBrokersRunSideBySideInOneJvm() throws Exception {
        try (PahoProbe a = PahoProbe.connect(defaults.uri(), "side-a");
                PahoProbe b = PahoProbe.connect(custom.uri(), "side-b")) {
            assertEquals(1000, a.connack().getReceiveMaximum());
            assertEquals(777, b.connack().getReceiveMaximum());
            a.client.subscribe("grpc/side", 1);
            b.client.subscribe("grpc/side", 1);
            b.publish("grpc/side", new MqttMessage("b".getBytes(UTF_8), 1, false, null));
            assertEquals("b", new String(b.next().message().getPayload(), UTF_8));
            a.publish("grpc/side", new MqttMessage("a".getBytes(UTF_8), 1, false, null));
            assertEquals("a", new String(a.next().message().getPayload(), UTF_8));
            assertTrue(a.received.isEmpty() && b.received.isEmpty(), "brokers are independent");
        }
    }

    @Test
    void builderRejectsBadArguments() {
        EmbeddedBroker.Builder b = EmbeddedBroker.builder();
        assertThrows(IllegalArgumentException.class, () -> b.port(-1));
        assertThrows(IllegalArgumentException.class, () -> b.port(65_536));
        assertThrows(IllegalArgumentException.class, () -> b.receiveMaximum(0));
        assertThrows(IllegalArgumentException.class, () -> b.receiveMaximum(65_536));
        assertThrows(IllegalArgumentException.class, () -> b.maxQueuedMessages(0));
        assertThrows(IllegalArgumentException.class, () -> b.maxPacketSize(0));
        assertThrows(IllegalArgumentException.class, () -> b.maxPacketSize(268_435_461));
        assertThrows(IllegalArgumentException.class, () -> b.bindAddress(" "));
        assertThrows(NullPointerException.class, () -> b.dataDir(null));
    }

    private static boolean canBind(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** HiveMQ's parsed configuration, read through its (package-private) Guice injector. */
    private static FullConfigurationService configurationOf(EmbeddedBroker broker) throws Exception {
        Object hivemq = broker.hivemq();
        Method getInjector = hivemq.getClass().getDeclaredMethod("getInjector");
        getInjector.setAccessible(true);
        Object injector = getInjector.invoke(hivemq);
        Method getInstance = injector.getClass().getMethod("getInstance", Class.class);
        getInstance.setAccessible(true);
        return (FullConfigurationService) getInstance.invoke(injector, FullConfigurationService.class);
    }
}
