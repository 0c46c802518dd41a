package io.grpcmqtt.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto process with the security features switched on that a test asks for: TLS listeners
 * with a {@link TestPki}, a {@code password_file} made with {@code mosquitto_passwd -b}, an
 * {@code acl_file}. Everything else is as in {@link MosquittoBroker} (127.0.0.1, free ports,
 * {@code set_tcp_nodelay true}, no persistence, a log in {@link #logFile()}).
 *
 * <pre>{@code
 * try (TestPki pki = TestPki.generate();
 *      SecureMosquitto broker = SecureMosquitto.builder().tls(pki).user("alice", "secret").start()) {
 *   ... MqttChannelBuilder.forBroker(broker.sslUri()).sslContext(pki.trustingContext()) ...
 * }
 * }</pre>
 *
 * <p>Listeners:
 * <ul>
 *   <li>{@link #uri()}: plain TCP;
 *   <li>with {@link Builder#tls}: {@link #sslUri()} (TLS, broker certificate for {@code 127.0.0.1}
 *       and {@code localhost}), {@link #clientCertificateUri()} (TLS, {@code require_certificate
 *       true}: clients must present a certificate of the test CA, and its common name becomes
 *       their username, {@code use_identity_as_username true}) and {@link #misnamedUri()} (TLS with
 *       a certificate of the test CA that names another host, {@link TestPki#MISNAMED_HOST}).
 * </ul>
 * With {@linkplain Builder#user users}, {@code allow_anonymous false} holds on every listener (the
 * client-certificate listener authenticates by certificate instead of password); without, anonymous
 * clients are allowed. An {@linkplain Builder#aclFile ACL file} applies to every listener.
 *
 * <p>Mosquitto and {@code mosquitto_passwd} must be installed; if not, the test is skipped (or
 * fails under {@code CI=true}), as with {@link MosquittoBroker}.
 */
public final class SecureMosquitto implements AutoCloseable {

    private static final int FREE_PORT_ATTEMPTS = 3;

    private final MosquittoBroker broker;
    private final Path dir;
    private final int sslPort;
    private final int clientCertificatePort;
    private final int misnamedPort;

    private SecureMosquitto(MosquittoBroker broker, Path dir, int sslPort, int clientCertificatePort, int misnamedPort) {
        this.broker = broker;
        this.dir = dir;
        this.sslPort = sslPort;
        this.clientCertificatePort = clientCertificatePort;
        this.misnamedPort = misnamedPort;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The plain TCP listener: {@code tcp://127.0.0.1:<port>}. */
    public String uri() {
        return broker.uri();
    }

    /** The TLS listener: {@code ssl://127.0.0.1:<port>}. */
    public String sslUri() {
        return "ssl://" + Loopback.HOST + ":" + requireTls(sslPort);
    }

    /** The port of {@link #sslUri()}, e.g. to connect as {@code ssl://localhost:<port>}. */
    public int sslPort() {
        return requireTls(sslPort);
    }

    /** The TLS listener that requires a client certificate of the test CA. */
    public String clientCertificateUri() {
        return "ssl://" + Loopback.HOST + ":" + requireTls(clientCertificatePort);
    }

    /** A TLS listener whose certificate names only {@link TestPki#MISNAMED_HOST}, not 127.0.0.1. */
    public String misnamedUri() {
        return "ssl://" + Loopback.HOST + ":" + requireTls(misnamedPort);
    }

    /** Mosquitto's log (connections, refusals, ACL denials are logged at notice/information). */
    public Path logFile() {
        return broker.logFile();
    }

    /** Mosquitto's log so far, for diagnostics and assertions. */
    public String log() {
        try {
            return Files.readString(logFile(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e + ")";
        }
    }

    /** Stops Mosquitto (SIGTERM); its connections drop. The ports are remembered for {@link #start()}. */
    public void stop() {
        broker.stop();
    }

    /** Starts Mosquitto again with the same configuration and ports; blocks until it accepts connections. */
    public void start() {
        broker.start();
    }

    /** Stops Mosquitto and deletes its files. Idempotent. */
    @Override
    public void close() {
        try {
            broker.close();
        } finally {
            Loopback.deleteRecursively(dir);
        }
    }

    @Override
    public String toString() {
        return "mosquitto(secure)";
    }

    private int requireTls(int port) {
        if (port == 0) {
            throw new IllegalStateException("this SecureMosquitto has no TLS listeners: build it with tls(pki)");
        }
        return port;
    }

    /** What the broker is started with. Not thread-safe; one {@link #start()} per builder. */
    public static final class Builder {
        private TestPki pki;
        private final Map<String, String> users = new LinkedHashMap<>();
        private Path aclFile;

        private Builder() {}

        /** Adds the three TLS listeners, with certificates of {@code pki}. */
        public Builder tls(TestPki pki) {
            this.pki = Objects.requireNonNull(pki, "pki");
            return this;
        }

        /** Adds a user to the password file; anonymous clients are then refused. */
        public Builder user(String username, String password) {
            users.put(Objects.requireNonNull(username, "username"), Objects.requireNonNull(password, "password"));
            return this;
        }

        /** Uses this Mosquitto ACL file (copied; {@code pattern} lines may use {@code %c} and {@code %u}). */
        public Builder aclFile(Path aclFile) {
            this.aclFile = Objects.requireNonNull(aclFile, "aclFile");
            return this;
        }

        /** Starts Mosquitto; aborts the test (or fails it under CI) if Mosquitto is not installed. */
        public SecureMosquitto start() {
            Path executable = MosquittoBroker.requireExecutable();
            Path dir;
            try {
                dir = Files.createTempDirectory("grpc-mqtt-mosquitto-secure-");
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a temporary folder for mosquitto", e);
            }
            try {
                List<String> security = securityLines(dir);
                IllegalStateException last = null;
                for (int attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
                    int sslPort = pki == null ? 0 : Loopback.freePort();
                    int certPort = pki == null ? 0 : Loopback.freePort();
                    int misnamedPort = pki == null ? 0 : Loopback.freePort();
                    List<String> config = new ArrayList<>(security);
                    if (pki != null) {
                        config.addAll(tlsListener(sslPort, pki.serverCertificate(), pki.serverKey(), false));
                        config.addAll(tlsListener(certPort, pki.serverCertificate(), pki.serverKey(), true));
                        config.addAll(tlsListener(
                                misnamedPort, pki.misnamedServerCertificate(), pki.misnamedServerKey(), false));
                    }
                    try {
                        MosquittoBroker broker =
                                MosquittoBroker.startOn(executable, Loopback.freePort(), users.isEmpty(), config);
                        return new SecureMosquitto(broker, dir, sslPort, certPort, misnamedPort);
                    } catch (MosquittoBroker.PortTakenException e) {
                        last = e; // a port was taken between our probe and Mosquitto's bind
                    }
                }
                throw last;
            } catch (RuntimeException | Error e) {
                Loopback.deleteRecursively(dir);
                throw e;
            }
        }

        private List<String> securityLines(Path dir) {
            List<String> lines = new ArrayList<>();
            if (!users.isEmpty()) {
                Path passwords = dir.resolve("passwords");
                for (Map.Entry<String, String> user : users.entrySet()) {
                    List<String> command = new ArrayList<>(List.of(passwdExecutable(), "-b"));
                    if (!Files.exists(passwords)) {
                        command.add("-c");
                    }
                    command.addAll(List.of(passwords.toString(), user.getKey(), user.getValue()));
                    run(command);
                }
                lines.add("password_file " + passwords);
            }
            if (aclFile != null) {
                Path copy = dir.resolve("acl");
                try {
                    Files.copy(aclFile, copy);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot copy the ACL file " + aclFile, e);
                }
                lines.add("acl_file " + copy);
            }
            return lines;
        }

        private List<String> tlsListener(int port, Path certificate, Path key, boolean requireCertificate) {
            List<String> lines = new ArrayList<>(List.of(
                    "listener " + port + " " + Loopback.HOST,
                    "cafile " + pki.caCertificate(),
                    "certfile " + certificate,
                    "keyfile " + key,
                    "require_certificate " + requireCertificate));
            if (requireCertificate) {
                lines.add("use_identity_as_username true");
            }
            return lines;
        }
    }

    private static String passwdExecutable() {
        return Executables.require("mosquitto_passwd", "mosquitto").toString();
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish within 30 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        command.get(0) + " exited with " + p.exitValue() + ": " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command.get(0), e);
        }
    }
}
