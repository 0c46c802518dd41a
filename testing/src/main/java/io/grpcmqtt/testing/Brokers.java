package io.grpcmqtt.testing;

import io.grpcmqtt.broker.EmbeddedBroker;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Real MQTT 5 brokers for tests, all on {@code 127.0.0.1} and a free port.
 *
 * <p>The shared brokers ({@link #hivemq()}, {@link #mosquitto()}) are started lazily, on the first
 * call of their {@code uri()} or {@code port()}, live as long as the test JVM and are closed by a
 * JVM shutdown hook. Tests must not depend on state left by other tests: use unique topics and
 * client ids. They cannot be stopped; a test that needs an outage gets its own broker from
 * {@link #newHivemq()} or {@link #newMosquitto()} and closes it.
 *
 * <pre>{@code
 * @ParameterizedTest
 * @MethodSource("io.grpcmqtt.testing.Brokers#both")
 * void roundTrip(TestBroker broker) { ... broker.uri() ... }
 * }</pre>
 *
 * <p>Mosquitto must be installed (Debian: {@code apt-get install mosquitto}). Without it, tests
 * that touch a Mosquitto broker are skipped — or fail when the environment variable {@code CI} is
 * {@code true}.
 */
public final class Brokers {

    private static final TestBroker HIVEMQ =
            new SharedBroker(EmbeddedBrokerFixture.NAME, () -> EmbeddedBrokerFixture.startOnFreePort(b -> {}));
    private static final TestBroker MOSQUITTO =
            new SharedBroker(MosquittoBroker.NAME, MosquittoBroker::startOnFreePort);

    private Brokers() {}

    /** The JVM-wide embedded HiveMQ CE ({@link EmbeddedBroker} with its defaults). */
    public static TestBroker hivemq() {
        return HIVEMQ;
    }

    /** The JVM-wide Mosquitto. */
    public static TestBroker mosquitto() {
        return MOSQUITTO;
    }

    /** {@link #hivemq()} and {@link #mosquitto()}, for {@code @MethodSource("io.grpcmqtt.testing.Brokers#both")}. */
    public static Stream<TestBroker> both() {
        return Stream.of(hivemq(), mosquitto());
    }

    /** A Mosquitto of the caller's own, started; the caller closes it. */
    public static MosquittoBroker newMosquitto() {
        return MosquittoBroker.startOnFreePort();
    }

    /**
     * A Mosquitto of the caller's own with {@code extraConfig} lines appended to its
     * configuration (e.g. {@code "max_packet_size 131072"}), started; the caller closes it.
     */
    public static MosquittoBroker newMosquitto(String... extraConfig) {
        return MosquittoBroker.startOnFreePort(List.of(extraConfig));
    }

    /** An embedded HiveMQ of the caller's own, started with its defaults; the caller closes it. */
    public static EmbeddedBrokerFixture newHivemq() {
        return newHivemq(b -> {});
    }

    /**
     * An embedded HiveMQ of the caller's own, started with {@code settings} applied to its builder
     * (e.g. {@code b -> b.receiveMaximum(10)}); the caller closes it. The bind address is always
     * {@code 127.0.0.1} and the port a free one: those two settings are overridden.
     */
    public static EmbeddedBrokerFixture newHivemq(Consumer<EmbeddedBroker.Builder> settings) {
        return EmbeddedBrokerFixture.startOnFreePort(Objects.requireNonNull(settings, "settings"));
    }
}
