package io.grpcmqtt.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded HiveMQ Community Edition MQTT 5 broker, configured for grpc-mqtt.
 *
 * <p>Compared with HiveMQ CE's own defaults, the broker this class starts:
 * <ul>
 *   <li>listens on {@code 127.0.0.1} only (HiveMQ binds {@code 0.0.0.0});</li>
 *   <li>never sends anonymous usage statistics;</li>
 *   <li>advertises a server receive maximum of 1000 instead of 10, so a client may have that
 *       many QoS 1/2 publishes in flight towards the broker;</li>
 *   <li>queues up to 100 000 messages per client instead of 1000;</li>
 *   <li>keeps all state in memory (nothing survives {@link #close()});</li>
 *   <li>explicitly enables the MQTT 5 features grpc-mqtt uses: shared subscriptions, retained
 *       messages, wildcard subscriptions, subscription identifiers, QoS 2, message expiry and
 *       session expiry up to the protocol maximum, the maximum packet size. User properties,
 *       response topics and correlation data need no configuration.</li>
 * </ul>
 *
 * <p>Instances are created started, by {@link Builder#start()}, and are immutable; {@link #close()}
 * stops the broker for good. To restart on the same port, build a new one with
 * {@code builder().port(old.port())}.
 *
 * <p><b>Logging.</b> HiveMQ is started without its own logging bootstrap, so it never replaces the
 * application's logging configuration. It logs through SLF4J and is chatty at INFO; when the SLF4J
 * backend is Logback, {@link Builder#start()} lowers {@code com.hivemq} to WARN (and a few
 * libraries HiveMQ brings along, see {@link LogbackQuieter}) — but only loggers whose level the
 * application has not set itself, so an explicit {@code <logger name="com.hivemq" level="INFO"/>}
 * in {@code logback.xml} wins. With any other backend, configure those levels there.
 *
 * <p>Example:
 * <pre>{@code
 * try (EmbeddedBroker broker = EmbeddedBroker.builder().port(0).start()) {
 *     MqttClient client = new MqttClient(broker.uri(), "id", new MemoryPersistence());
 *     ...
 * }
 * }</pre>
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    /** Bound on waiting for HiveMQ to start or stop. */
    private static final Duration LIFECYCLE_TIMEOUT = Duration.ofSeconds(60);
    /** Bound on waiting for the listener to accept a TCP connection once HiveMQ reports started. */
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(10);
    /** How often {@code port(0)} picks another free port when one is taken between pick and bind. */
    private static final int FREE_PORT_ATTEMPTS = 5;

    private final EmbeddedHiveMQ hivemq;
    private final String host;
    private final int port;
    private final Path workDir;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedBroker(EmbeddedHiveMQ hivemq, String host, int port, Path workDir) {
        this.hivemq = hivemq;
        this.host = host;
        this.port = port;
        this.workDir = workDir;
    }

    /** Returns a builder with the defaults listed on {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The URI clients connect to, {@code tcp://<host>:<port>}, e.g. {@code tcp://127.0.0.1:1883}. */
    public String uri() {
        return "tcp://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The address the listener is bound to, as given to {@link Builder#bindAddress(String)}. */
    public String host() {
        return host;
    }

    /** The port the listener is bound to; the chosen one when the builder was given port 0. */
    public int port() {
        return port;
    }

    /** The underlying HiveMQ instance, for this package's tests only. */
    EmbeddedHiveMQ hivemq() {
        return hivemq;
    }

    /** The temporary folder holding {@code conf/}, {@code extensions/} and (by default) {@code data/}. */
    Path workDir() {
        return workDir;
    }

    /**
     * Stops the broker and waits (bounded) until it has stopped and released its port, then deletes
     * the temporary folders it created (the data folder too, unless one was given with
     * {@link Builder#dataDir(Path)}). Idempotent.
     *
     * <p>Takes about 4 s: HiveMQ CE waits out a fixed 2 s Netty quiet period and about 2 s for its
     * persistence executor. The listener is closed (port free, clients disconnected) within a few
     * milliseconds of the call; the rest is HiveMQ's internal shutdown.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            shutDown(hivemq);
        } finally {
            deleteRecursively(workDir);
        }
        log.debug("Stopped embedded HiveMQ on {} in {} ms", uri(), (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public String toString() {
        return "EmbeddedBroker[" + uri() + (closed.get() ? ", closed" : "") + "]";
    }

    /**
     * Configures and starts an {@link EmbeddedBroker}. Builders are not thread-safe; each
     * {@link #start()} snapshots the settings, so one builder may start several brokers.
     */
    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port = 1883;
        private Path dataDir;
        private int receiveMaximum = 1000;
        private long maxQueuedMessages = 100_000;
        private int maxPacketSize = 268_435_460;

        private Builder() {}

        /** The address the TCP listener binds to. Default {@code 127.0.0.1}. */
        public Builder bindAddress(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("bind address must not be blank");
            }
            this.bindAddress = host.strip();
            return this;
        }

        /** The TCP listener's port, 0 to pick a free one (see {@link EmbeddedBroker#port()}). Default 1883. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be in 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The folder HiveMQ may write to; it is created if missing and never deleted. Persistence is
         * in-memory, so this holds no MQTT state. Default: a temporary folder, deleted on close.
         */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * The server receive maximum advertised in CONNACK: how many unacknowledged QoS 1/2
         * publishes each client may send to the broker. 1..65535; default 1000 (HiveMQ's own
         * default is 10).
         */
        public Builder receiveMaximum(int n) {
            if (n < 1 || n > 65_535) {
                throw new IllegalArgumentException("receiveMaximum must be in 1..65535, was " + n);
            }
            this.receiveMaximum = n;
            return this;
        }

        /**
         * How many messages the broker queues per client (offline sessions, and online clients whose
         * own receive maximum is exhausted) before it discards new ones. Default 100 000.
         */
        public Builder maxQueuedMessages(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxQueuedMessages must be positive, was " + n);
            }
            this.maxQueuedMessages = n;
            return this;
        }

        /**
         * The largest MQTT packet, in bytes, the broker accepts and advertises in CONNACK.
         * 1..268435460; default 268 435 460, the MQTT maximum.
         */
        public Builder maxPacketSize(int bytes) {
            if (bytes < 1 || bytes > 268_435_460) {
                throw new IllegalArgumentException("maxPacketSize must be in 1..268435460, was " + bytes);
            }
            this.maxPacketSize = bytes;
            return this;
        }

        /**
         * Starts a broker with these settings and blocks until its listener accepts TCP connections.
         * Takes about 1 s for the first broker in a JVM (class loading) and about 100 ms after that.
         *
         * @throws IllegalStateException if the broker could not start, e.g. because the port is in
         *     use; the message says why
         */
        public EmbeddedBroker start() {
            LogbackQuieter.quietHiveMqIfLogback();
            if (port != 0) {
                return startOn(port);
            }
            IllegalStateException last = null;
            for (int attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
                int candidate = freePort(bindAddress);
                try {
                    return startOn(candidate);
                } catch (PortInUseException e) {
                    last = e; // taken between our probe and HiveMQ's bind: pick another
                }
            }
            throw last;
        }

        private EmbeddedBroker startOn(int p) {
            long t0 = System.nanoTime();
            Path workDir = createWorkDir();
            EmbeddedHiveMQ hivemq = null;
            try {
                Path conf = Files.createDirectory(workDir.resolve("conf"));
                Path extensions = Files.createDirectory(workDir.resolve("extensions"));
                Path data = dataDir != null ? Files.createDirectories(dataDir)
                        : Files.createDirectory(workDir.resolve("data"));
                HiveMqConfigXml.write(conf, HiveMqConfigXml.render(bindAddress, p, receiveMaximum,
                        maxQueuedMessages, maxPacketSize));
                hivemq = EmbeddedHiveMQ.builder()
                        .withConfigurationFolder(conf)
                        .withDataFolder(data)
                        .withExtensionsFolder(extensions)
                        .withoutLoggingBootstrap()
                        .build();
                try {
                    hivemq.start().get(LIFECYCLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    throw startFailure(p, e.getCause());
                } catch (TimeoutException e) {
                    throw new IllegalStateException("Embedded HiveMQ did not start on " + bindAddress + ":" + p
                            + " within " + LIFECYCLE_TIMEOUT.toSeconds() + " s", e);
                }
                awaitListening(bindAddress, p);
                EmbeddedBroker broker = new EmbeddedBroker(hivemq, bindAddress, p, workDir);
                log.debug("Started embedded HiveMQ on {} in {} ms", broker.uri(), (System.nanoTime() - t0) / 1_000_000);
                return broker;
            } catch (IOException e) {
                shutDownQuietly(hivemq);
                deleteRecursively(workDir);
                throw new IllegalStateException("Embedded HiveMQ could not prepare its folders under " + workDir, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                shutDownQuietly(hivemq);
                deleteRecursively(workDir);
                throw new IllegalStateException("Interrupted while starting embedded HiveMQ", e);
            } catch (RuntimeException | Error e) {
                shutDownQuietly(hivemq);
                deleteRecursively(workDir);
                throw e;
            }
        }

        private IllegalStateException startFailure(int p, Throwable cause) {
            String where = bindAddress + ":" + p;
            if (!canBind(bindAddress, p)) {
                return new PortInUseException("Embedded HiveMQ could not listen on " + where
                        + ": the port is already in use (or the address is not local)", cause);
            }
            return new IllegalStateException("Embedded HiveMQ failed to start on " + where + ": " + cause, cause);
        }
    }

    /** A start failure because the listener could not bind. */
    private static final class PortInUseException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortInUseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static void shutDown(EmbeddedHiveMQ hivemq) {
        try {
            hivemq.stop().get(LIFECYCLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            hivemq.close(); // releases HiveMQ's state-change executor; the broker is already stopped
        } catch (ExecutionException e) {
            throw new IllegalStateException("Embedded HiveMQ failed to stop cleanly", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Embedded HiveMQ did not stop within " + LIFECYCLE_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping embedded HiveMQ", e);
        }
    }

    private static void shutDownQuietly(EmbeddedHiveMQ hivemq) {
        if (hivemq == null) {
            return;
        }
        try {
            shutDown(hivemq);
        } catch (RuntimeException e) {
            log.debug("Ignoring failure to stop a HiveMQ that failed to start", e);
        }
    }

    private static Path createWorkDir() {
        try {
            return Files.createTempDirectory("grpc-mqtt-hivemq-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary folder for embedded HiveMQ", e);
        }
    }

    /** Polls until a TCP connection to host:port succeeds, at most {@link #LISTEN_TIMEOUT}. */
    private static void awaitListening(String host, int port) throws InterruptedException {
        long deadline = System.nanoTime() + LISTEN_TIMEOUT.toNanos();
        IOException last;
        do {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                return;
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("Embedded HiveMQ reported started but " + host + ":" + port
                + " accepts no connection after " + LISTEN_TIMEOUT.toSeconds() + " s", last);
    }

    private static int freePort(String host) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot find a free port on " + host, e);
        }
    }

    private static boolean canBind(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("Could not delete embedded HiveMQ's temporary folder {}", root, e);
        }
    }
}
