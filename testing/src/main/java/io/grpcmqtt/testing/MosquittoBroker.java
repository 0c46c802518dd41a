package io.grpcmqtt.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Mosquitto broker process on {@code 127.0.0.1}, started from the {@code mosquitto} binary on the
 * {@code PATH} (or {@code /usr/sbin/mosquitto}).
 *
 * <p>Its configuration ({@code mosquitto.conf} in a temporary folder) allows anonymous clients,
 * sets TCP_NODELAY, queues up to 100 000 messages per client and keeps no persistence. It leaves
 * {@code max_inflight_messages} at Mosquitto's default (20), so clients meet a real, small server
 * receive maximum. Mosquitto logs to {@link #logFile()}; a start failure quotes its tail.
 *
 * <p>If Mosquitto is not installed, creating one aborts the calling test (it is reported as
 * skipped, with the reason) — except under CI ({@code CI=true}), where it fails: {@code .ci/run}
 * installs Mosquitto, so its absence there is a bug.
 *
 * <p>Get a dedicated instance with {@link Brokers#newMosquitto()} and close it; the process is also
 * destroyed by a JVM shutdown hook if the test forgets. Thread-safe.
 */
public final class MosquittoBroker implements TestBroker, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MosquittoBroker.class);

    static final String NAME = "mosquitto";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final int FREE_PORT_ATTEMPTS = 3;
    private static final int TAIL_LINES = 30;

    private final Path executable;
    private final Path dir;
    private final Path logFile;
    private final Path outFile;
    private final int port;
    private final boolean allowAnonymous;
    private final List<String> extraConfig;
    private final Thread shutdownHook;
    private Process process;
    private boolean closed;

    private MosquittoBroker(Path executable, Path dir, int port, boolean allowAnonymous, List<String> extraConfig) {
        this.executable = executable;
        this.dir = dir;
        this.logFile = dir.resolve("mosquitto.log");
        this.outFile = dir.resolve("mosquitto.out");
        this.port = port;
        this.allowAnonymous = allowAnonymous;
        this.extraConfig = List.copyOf(extraConfig);
        writeConfig();
        this.shutdownHook = Loopback.onShutdown("mosquitto-" + port + "-shutdown", this::close);
    }

    /** Starts a new Mosquitto on a free port; aborts or fails the test if it is not installed. */
    static MosquittoBroker startOnFreePort() {
        return startOnFreePort(List.of());
    }

    /** As {@link #startOnFreePort()}, with {@code extraConfig} appended to its configuration. */
    static MosquittoBroker startOnFreePort(List<String> extraConfig) {
        Path executable = requireExecutable();
        IllegalStateException last = null;
        for (int attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
            try {
                return startOn(executable, Loopback.freePort(), true, extraConfig);
            } catch (PortTakenException e) {
                last = e; // someone took the free port between our probe and Mosquitto's bind
            }
        }
        throw last;
    }

    /** Starts a new Mosquitto on the given port. */
    static MosquittoBroker startOn(Path executable, int port) {
        return startOn(executable, port, true, List.of());
    }

    /**
     * Starts a new Mosquitto on the given port with {@code extraConfig} appended to its
     * configuration (more listeners, password and ACL files); {@code allowAnonymous} is the
     * broker-wide {@code allow_anonymous}. Throws a {@link PortTakenException} if a port is taken.
     */
    static MosquittoBroker startOn(Path executable, int port, boolean allowAnonymous, List<String> extraConfig) {
        Path dir;
        try {
            dir = Files.createTempDirectory("grpc-mqtt-mosquitto-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary folder for mosquitto", e);
        }
        MosquittoBroker broker = new MosquittoBroker(executable, dir, port, allowAnonymous, extraConfig);
        try {
            broker.start();
            return broker;
        } catch (RuntimeException | Error e) {
            // Keep the folder (the log is named in the message) but drop the hook.
            Loopback.removeShutdownHook(broker.shutdownHook);
            throw e;
        }
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

    /** Mosquitto's own log; kept until {@link #close()}. */
    public Path logFile() {
        return logFile;
    }

    /** Whether the Mosquitto process is running. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("mosquitto on " + uri() + " is closed");
        }
        if (isRunning()) {
            return;
        }
        long t0 = System.nanoTime();
        long logOffset = sizeOf(logFile);
        ProcessBuilder pb = new ProcessBuilder(executable.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outFile.toFile()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + executable, e);
        }
        // Ready = Mosquitto has logged that it runs (so its listener is bound: a bare TCP connect
        // could reach someone else's socket on this port) and the port accepts connections.
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                String diagnostics = diagnostics();
                String message = "mosquitto exited with code " + process.exitValue() + " instead of listening on "
                        + uri() + "\n" + diagnostics;
                process = null;
                if (diagnostics.contains("Address already in use")) {
                    throw new PortTakenException(message);
                }
                throw new IllegalStateException(message);
            }
            if (loggedRunningSince(logOffset) && Loopback.accepts(port)) {
                break;
            }
            if (System.nanoTime() > deadline) {
                destroyProcess();
                throw new IllegalStateException("mosquitto did not accept connections on " + uri() + " within "
                        + START_TIMEOUT.toSeconds() + " s\n" + diagnostics());
            }
            sleep(10);
        }
        log.debug("Started mosquitto on {} in {} ms", uri(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** Stops Mosquitto with SIGTERM (SIGKILL if it lingers) and waits until it has exited. */
    @Override
    public synchronized void stop() {
        destroyProcess();
    }

    /** Kills Mosquitto with SIGKILL, as a crash would, and waits until it has exited. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            awaitExit(process, STOP_TIMEOUT);
            process = null;
        }
    }

    /** Stops Mosquitto and deletes its temporary folder. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        destroyProcess();
        Loopback.removeShutdownHook(shutdownHook);
        Loopback.deleteRecursively(dir);
    }

    @Override
    public String toString() {
        return NAME;
    }

    private synchronized void destroyProcess() {
        Process p = process;
        if (p == null) {
            return;
        }
        process = null;
        p.destroy();
        if (!awaitExit(p, STOP_TIMEOUT)) {
            p.destroyForcibly();
            awaitExit(p, STOP_TIMEOUT);
        }
    }

    private static boolean awaitExit(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    /** Whether Mosquitto's "mosquitto version x.y.z running" line is in the log past {@code offset}. */
    private boolean loggedRunningSince(long offset) {
        long size = sizeOf(logFile);
        if (size <= offset) {
            return false;
        }
        try (var in = Files.newInputStream(logFile)) {
            in.skipNBytes(offset);
            String fresh = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            return fresh.lines().anyMatch(line -> line.contains("mosquitto version") && line.endsWith(" running"));
        } catch (IOException e) {
            return false;
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private String diagnostics() {
        return "--- tail of " + logFile + " ---\n" + Loopback.tail(logFile, TAIL_LINES)
                + "\n--- tail of " + outFile + " (stdout/stderr) ---\n" + Loopback.tail(outFile, TAIL_LINES);
    }

    private void writeConfig() {
        List<String> lines = new ArrayList<>(List.of(
                "# Written by io.grpcmqtt.testing.MosquittoBroker",
                "listener " + port + " " + Loopback.HOST,
                "allow_anonymous " + allowAnonymous,
                "set_tcp_nodelay true",
                "max_queued_messages 100000",
                "persistence false",
                // max_inflight_messages stays at its default (20): clients must window themselves.
                // As root, Mosquitto would otherwise switch to the 'mosquitto' user, which cannot
                // write the log here; for any other user this line does nothing.
                "user " + System.getProperty("user.name"),
                "log_dest file " + logFile,
                "log_type error",
                "log_type warning",
                "log_type notice",
                "log_type information",
                "connection_messages true",
                "log_timestamp_format %Y-%m-%dT%H:%M:%S"));
        lines.addAll(extraConfig);
        lines.add("");
        String conf = String.join("\n", lines);
        try {
            Files.writeString(dir.resolve("mosquitto.conf"), conf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + dir.resolve("mosquitto.conf"), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for mosquitto", e);
        }
    }

    /** The Mosquitto binary ({@link Executables#require}). */
    static Path requireExecutable() {
        return Executables.require(NAME, "mosquitto", Path.of("/usr/sbin/mosquitto"));
    }

    /** A start failure because a port is taken. */
    static final class PortTakenException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }
}
