package io.grpcmqtt.testing;

import java.util.function.Supplier;

/**
 * A JVM-wide broker, started on first use of {@link #uri()} or {@link #port()} and closed by the
 * JVM shutdown hook every fixture registers. Naming it does not start it, so a test over {@link Brokers#both()}
 * still runs for HiveMQ when Mosquitto is missing (the Mosquitto case is then skipped or fails).
 */
final class SharedBroker implements TestBroker {

    private final String name;
    private final Supplier<? extends TestBroker> factory;
    private TestBroker delegate;
    private RuntimeException failure;

    SharedBroker(String name, Supplier<? extends TestBroker> factory) {
        this.name = name;
        this.factory = factory;
    }

    private synchronized TestBroker delegate() {
        if (delegate != null) {
            return delegate;
        }
        if (failure != null) {
            throw failure; // do not wait for a broker that already failed to start, once per test
        }
        try {
            delegate = factory.get(); // registers its own shutdown hook
            return delegate;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String uri() {
        return delegate().uri();
    }

    @Override
    public String host() {
        return Loopback.HOST;
    }

    @Override
    public int port() {
        return delegate().port();
    }

    @Override
    public void stop() {
        throw unsupported("stopped");
    }

    @Override
    public void start() {
        throw unsupported("restarted");
    }

    private UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException("The shared " + name + " broker cannot be " + what
                + ": other tests use it. Use Brokers.new" + (name.equals("hivemq") ? "Hivemq" : "Mosquitto")
                + "() for a broker of your own.");
    }

    @Override
    public String toString() {
        return name;
    }
}
