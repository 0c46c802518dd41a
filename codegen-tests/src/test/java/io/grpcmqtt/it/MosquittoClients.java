package io.grpcmqtt.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.testing.TestBroker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the stock mosquitto_pub / mosquitto_rr binaries, as a device or a shell script would. In
 * CI their absence fails the test instead of skipping it.
 */
final class MosquittoClients {
  private MosquittoClients() {}

  static String binary(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(name + " not installed; .ci/run installs mosquitto-clients");
    }
    Assumptions.abort(name + " not installed (apt-get install mosquitto-clients)");
    return null;
  }

  /** {@code mosquitto_pub -t topic -m message}: a one-way publish with no properties. */
  static void publish(TestBroker broker, String topic, String message)
      throws IOException, InterruptedException {
    run(broker, "mosquitto_pub", "-t", topic, "-m", message, "-q", "1");
  }

  /** {@code mosquitto_rr}: a request with a Response Topic; returns the reply's payload. */
  static byte[] request(TestBroker broker, String topic, String message)
      throws IOException, InterruptedException {
    return run(broker, "mosquitto_rr", "-V", "mqttv5", "-t", topic, "-m", message,
        "-e", "devices/rr-" + ProcessHandle.current().pid() + "/reply", "-W", "10", "-N");
  }

  private static byte[] run(TestBroker broker, String tool, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(binary(tool),
        "-h", broker.host(), "-p", Integer.toString(broker.port())));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    byte[] output;
    try (InputStream in = process.getInputStream()) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      in.transferTo(bytes);
      output = bytes.toByteArray();
    }
    assertTrue(process.waitFor(15, TimeUnit.SECONDS), tool + " did not finish");
    assertEquals(0, process.exitValue(), tool + " failed");
    return output;
  }
}
