package io.grpcmqtt.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The stock {@code mosquitto_pub} and {@code mosquitto_rr} binaries, run against a {@link
 * TestBroker} as a device or a shell script would. Without mosquitto-clients the calling test is
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

    private static byte[] run(TestBroker broker, String tool, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary(tool),
                "-h", broker.host(), "-p", Integer.toString(broker.port())));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
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
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(name + " not installed; .ci/run installs mosquitto-clients");
        }
        Assumptions.abort(name + " not installed (apt-get install mosquitto-clients): skipping");
        return null;
    }
}
