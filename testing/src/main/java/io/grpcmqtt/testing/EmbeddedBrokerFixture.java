package io.grpcmqtt.testing;

import io.grpcmqtt.broker.EmbeddedBroker;
import java.util.function.Consumer;

/**
 * An {@link EmbeddedBroker} (HiveMQ CE) that can be stopped and started again on the same port,
 * for tests that need a broker outage.
 *
 * <p>Get one with {@link Brokers#newHivemq()} and close it; a JVM shutdown hook closes it if the
 * test forgets. {@link #stop()} closes the embedded broker (clients are disconnected; about 4 s,
 * most of it HiveMQ's own shutdown); {@link #start()} builds a fresh one with the same settings and
 * port. Thread-safe.
 */
public final class EmbeddedBrokerFixture implements TestBroker, AutoCloseable {

    static final String NAME = "hivemq";

    private final Consumer<EmbeddedBroker.Builder> settings;
    private final int port;
    private final Thread shutdownHook;
    private EmbeddedBroker broker;
    private boolean closed;

    private EmbeddedBrokerFixture(Consumer<EmbeddedBroker.Builder> settings, EmbeddedBroker started) {
        this.settings = settings;
        this.broker = started;
        this.port = started.port();
        this.shutdownHook = Loopback.onShutdown("hivemq-" + port + "-shutdown", this::close);
    }

    /** Starts an embedded HiveMQ on a free 127.0.0.1 port, with {@code settings} applied to its builder. */
    static EmbeddedBrokerFixture startOnFreePort(Consumer<EmbeddedBroker.Builder> settings) {
        return new EmbeddedBrokerFixture(settings, builder(settings).port(0).start());
    }

    private static EmbeddedBroker.Builder builder(Consumer<EmbeddedBroker.Builder> settings) {
        EmbeddedBroker.Builder b = EmbeddedBroker.builder();
        settings.accept(b);
        return b.bindAddress(Loopback.HOST);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String uri() {
        return Loopback.uri(port);
    }

    @Override
    public String host() {
        return Loopback.HOST;
    }

    @Override
    public int port() {
        return port;
    }

    /** Whether the broker is running (started and not stopped). */
    public synchronized boolean isRunning() {
        return broker != null;
    }

    @Override
    public synchronized void stop() {
        if (broker != null) {
            EmbeddedBroker b = broker;
            broker = null;
            b.close();
        }
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("hivemq on " + uri() + " is closed");
        }
        if (broker == null) {
            broker = builder(settings).port(port).start();
        }
    }

    /** Stops the broker for good. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            Loopback.removeShutdownHook(shutdownHook);
        }
    }

    @Override
    public String toString() {
        return NAME;
    }
}
