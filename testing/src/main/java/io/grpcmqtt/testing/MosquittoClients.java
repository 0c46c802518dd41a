package io.grpcmqtt.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The stock {@code mosquitto_pub}, {@code mosquitto_sub} and {@code mosquitto_rr} binaries, run
 * against a {@link TestBroker} as a device or a shell script would. Without mosquitto-clients the calling test is
 * skipped — or fails when the environment variable {@code CI} is {@code true}.
 */
public final class MosquittoClients {

    private MosquittoClients() {}

    /** {@code mosquitto_pub -q 1 -t topic -m message}: a one-way MQTT 3.1.1 publish, no properties. */
    public static void publish(TestBroker broker, String topic, String message)
            throws IOException, InterruptedException {
        run(broker, "mosquitto_pub", "-q", "1", "-t", topic, "-m", message);
    }

    /**
     * {@code mosquitto_rr -V mqttv5}: a request with a Response Topic and no Correlation Data.
     *
     * @return the payload of the reply, byte for byte
     */
    public static byte[] request(TestBroker broker, String topic, String message)
            throws IOException, InterruptedException {
        return run(broker, "mosquitto_rr", "-V", "mqttv5", "-t", topic, "-m", message,
                "-e", "devices/rr-" + ProcessHandle.current().pid() + "/reply", "-W", "10", "-N");
    }

    /**
     * {@code mosquitto_pub -V mqttv311 -q 1 -i clientId -t topic -s}: an MQTT 3.1.1 publish of
     * {@code payload} (read from stdin, so any bytes), as a device of the 3.1.1 binding sends a
     * request (docs/protocol.md §14). {@code more} adds options, e.g. {@code -u user -P password}.
     */
    public static void publish311(TestBroker broker, String clientId, String topic, byte[] payload,
            String... more) throws IOException, InterruptedException {
        publish311(broker.host(), broker.port(), clientId, topic, payload, more);
    }

    /** {@link #publish311(TestBroker, String, String, byte[], String...)} to any broker. */
    public static void publish311(String host, int port, String clientId, String topic,
            byte[] payload, String... more) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-V", "mqttv311", "-q", "1", "-i", clientId,
                "-t", topic, "-s"));
        args.addAll(List.of(more));
        run(host, port, "mosquitto_pub", payload, args.toArray(new String[0]));
    }

    /**
     * A running {@code mosquitto_sub -V mqttv311 -q 1 -i clientId -t filter}, returned once the
     * broker acknowledged its subscription; {@link Subscriber#next()} gives what it receives.
     */
    public static Subscriber subscribe311(TestBroker broker, String clientId, String filter,
            String... more) throws IOException, InterruptedException {
        return subscribe311(broker.host(), broker.port(), clientId, filter, more);
    }

    /** {@link #subscribe311(TestBroker, String, String, String...)} on any broker. */
    public static Subscriber subscribe311(String host, int port, String clientId, String filter,
            String... more) throws IOException, InterruptedException {
        // -d prints "Subscribed (mid: 1): 1" once the SUBACK is in; -F '%t %x' puts each message
        // on one line, its payload in hex, so binary payloads survive. stdbuf -oL: into a pipe,
        // mosquitto_sub's stdout would otherwise wait for a full buffer.
        List<String> command = new ArrayList<>(List.of(binary("stdbuf"), "-oL", binary("mosquitto_sub"),
                "-h", host, "-p", Integer.toString(port), "-V", "mqttv311", "-q", "1",
                "-i", clientId, "-t", filter, "-d", "-F", "%t %x"));
        command.addAll(List.of(more));
        return new Subscriber(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** A {@code mosquitto_sub} process; closing it stops the process. */
    public static final class Subscriber implements AutoCloseable {
        /** One message: its topic and payload. */
        public record Message(String topic, byte[] payload) {
            /** The payload as UTF-8 text. */
            public String text() {
                return new String(payload, StandardCharsets.UTF_8);
            }
        }

        private final Process process;
        private final java.util.concurrent.BlockingQueue<Object> lines =
                new java.util.concurrent.LinkedBlockingQueue<>();
        private final StringBuilder transcript = new StringBuilder();

        private Subscriber(Process process) throws InterruptedException {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (java.io.BufferedReader in = new java.io.BufferedReader(
                        new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process was stopped
                }
                lines.add(Boolean.FALSE);
            }, "mosquitto_sub-reader");
            reader.setDaemon(true);
            reader.start();
            if (!await(line -> line.startsWith("Subscribed (mid"))) {
                close();
                throw new IllegalStateException("mosquitto_sub did not subscribe within 10 s: " + transcript);
            }
        }

        /** The next message within 10 s; fails with what the process printed when none comes. */
        public Message next() throws InterruptedException {
            Message[] found = new Message[1];
            if (!await(line -> {
                int space = line.indexOf(' ');
                if (line.startsWith("Client ") || space < 0) {
                    return false;
                }
                found[0] = new Message(line.substring(0, space), hex(line.substring(space + 1)));
                return true;
            })) {
                throw new AssertionError("mosquitto_sub received nothing within 10 s: " + transcript);
            }
            return found[0];
        }

        private boolean await(java.util.function.Predicate<String> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                Object line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (!(line instanceof String text)) {
                    if (line != null) {
                        lines.add(line); // the end stays the end
                    }
                    return false;
                }
                transcript.append(text).append('\n');
                if (wanted.test(text)) {
                    return true;
                }
            }
        }

        private static byte[] hex(String text) {
            byte[] bytes = new byte[text.length() / 2];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
            }
            return bytes;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static byte[] run(TestBroker broker, String tool, String... args)
            throws IOException, InterruptedException {
        return run(broker.host(), broker.port(), tool, new byte[0], args);
    }

    private static byte[] run(String host, int port, String tool, byte[] stdin, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary(tool),
                "-h", host, "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        try (java.io.OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        }
        byte[] output;
        byte[] errors;
        try (InputStream in = process.getInputStream(); InputStream err = process.getErrorStream()) {
            output = readAll(in);
            errors = readAll(err);
        }
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(tool + " did not finish within 15 s");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(tool + " exited with " + process.exitValue() + ": "
                    + new String(errors, StandardCharsets.UTF_8).trim());
        }
        return output;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toByteArray();
    }

    private static String binary(String name) {
        return Executables.require(name, name.equals("stdbuf") ? "coreutils" : "mosquitto-clients").toString();
    }
}
