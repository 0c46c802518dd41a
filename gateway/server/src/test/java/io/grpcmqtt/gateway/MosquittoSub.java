package io.grpcmqtt.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import io.grpcmqtt.testing.TestBroker;

/**
 * A running {@code mosquitto_sub}: each message it prints is one line {@code topic payload
 * user-properties}. Ready once the broker has acknowledged its subscription.
 */
final class MosquittoSub implements AutoCloseable {
  private static final String MARK = "MSG ";
  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final CountDownLatch subscribed = new CountDownLatch(1);

  MosquittoSub(TestBroker broker, String filter) throws IOException, InterruptedException {
    // stdbuf: mosquitto_sub's debug lines (the SUBACK we wait for) are block-buffered on a pipe.
    process = new ProcessBuilder(List.of(Tools.binary("stdbuf", "coreutils"), "-oL",
        Tools.binary("mosquitto_sub", "mosquitto-clients"),
        "-V", "mqttv5", "-h", broker.host(), "-p", Integer.toString(broker.port()),
        "-t", filter, "-q", "1", "-d", "-F", MARK + "%t %p %P"))
        .redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith(MARK)) {
            lines.add(line.substring(MARK.length()));
          } else if (line.contains("received SUBACK")) {
            subscribed.countDown();
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "mosquitto_sub-reader");
    reader.setDaemon(true);
    reader.start();
    if (!subscribed.await(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("mosquitto_sub did not subscribe to " + filter + " within 10 s");
    }
  }

  /** The next message line, or an assertion failure after 10 s. */
  String next() throws InterruptedException {
    String line = lines.poll(10, TimeUnit.SECONDS);
    if (line == null) {
      throw new AssertionError("mosquitto_sub printed nothing within 10 s");
    }
    return line;
  }

  /** A line that arrived within {@code millis}, or null. */
  String poll(long millis) throws InterruptedException {
    return lines.poll(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    process.destroy();
  }
}
