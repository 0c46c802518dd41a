package io.grpcmqtt.samples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs {@link Main#run} in-process and keeps what it printed. */
public record CliRun(int status, String out, String err) {

  public static CliRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = Main.run(args, o, e);
    }
    return new CliRun(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  public List<String> outLines() {
    return out.lines().toList();
  }

  public String firstErrLine() {
    return err.lines().findFirst().orElse("");
  }

  @Override
  public String toString() {
    return "exit " + status + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
  }

  /** A 127.0.0.1 port nobody listened on a moment ago. */
  public static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return s.getLocalPort();
    }
  }
}
