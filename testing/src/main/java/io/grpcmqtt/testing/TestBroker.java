package io.grpcmqtt.testing;

/**
 * A real MQTT 5 broker for tests, listening on {@code 127.0.0.1}.
 *
 * <p>Get one from {@link Brokers}. Implementations return {@link #name()} from {@code toString()},
 * so a {@code @ParameterizedTest} over {@link Brokers#both()} shows "hivemq" and "mosquitto".
 */
public interface TestBroker {

    /** {@code "hivemq"} or {@code "mosquitto"}. */
    String name();

    /** Where clients connect: {@code tcp://127.0.0.1:<port>}. */
    String uri();

    /** Always {@code 127.0.0.1}. */
    String host();

    /** The listener's port; the same across {@link #stop()} and {@link #start()}. */
    int port();

    /**
     * Stops the broker: its connections drop and new ones are refused until {@link #start()}. The
     * port is remembered (not held) for the restart. Does nothing if already stopped.
     *
     * @throws UnsupportedOperationException on the JVM-wide shared brokers ({@link Brokers#hivemq()},
     *     {@link Brokers#mosquitto()}), which other tests rely on; use {@link Brokers#newHivemq()}
     *     or {@link Brokers#newMosquitto()} for fault tests
     */
    void stop();

    /**
     * Starts the broker again on the same port and blocks until it accepts connections. Does nothing
     * if it is running. A restarted broker has no state: sessions and retained messages are gone.
     *
     * @throws IllegalStateException if it cannot start (e.g. the port was taken meanwhile)
     * @throws UnsupportedOperationException on the shared brokers, as for {@link #stop()}
     */
    void start();
}
