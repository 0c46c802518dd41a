package io.grpcmqtt.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line, without a broker: help, bad arguments, unreachable brokers. */
class MainTest {

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "help", "echo-demo --help", "echo-client -h --broker x"})
  void helpPrintsUsageToStdoutAndSucceeds(String args) {
    CliRun r = run(args.split(" "));
    assertEquals(0, r.status());
    assertTrue(r.out().startsWith("usage: java -jar grpc-mqtt-samples.jar <command>"), r.out());
    for (String command : new String[] {"echo-demo", "echo-server", "echo-client"}) {
      assertTrue(r.out().contains(command), command + " missing from the usage");
    }
    assertEquals("", r.err());
  }

  static Stream<Arguments> badArguments() {
    return Stream.of(
        Arguments.of(new String[] {}, "no command given"),
        Arguments.of(new String[] {"bogus"}, "unknown command 'bogus'"),
        Arguments.of(new String[] {"--port", "1"}, "expected a command before --port"),
        Arguments.of(new String[] {"echo-demo", "--port"}, "--port needs a value"),
        Arguments.of(new String[] {"echo-demo", "--port", "abc"}, "--port must be a number, was 'abc'"),
        Arguments.of(new String[] {"echo-demo", "--port=70000"}, "--port must be in 0..65535, was 70000"),
        Arguments.of(new String[] {"echo-demo", "--port", "-1"}, "--port must be in 0..65535, was -1"),
        Arguments.of(new String[] {"echo-demo", "--port", "1", "--port", "2"}, "--port given twice"),
        Arguments.of(new String[] {"echo-demo", "--serve=yes"}, "--serve takes no value"),
        Arguments.of(new String[] {"echo-demo", "--bogus"}, "unknown option --bogus for echo-demo"),
        Arguments.of(new String[] {"echo-demo", "extra"}, "unexpected argument 'extra' for echo-demo"),
        Arguments.of(new String[] {"echo-server"}, "echo-server needs --broker"),
        Arguments.of(
            new String[] {"echo-server", "--broker", "tcp://127.0.0.1:1", "--text", "x"},
            "unknown option --text for echo-server"),
        Arguments.of(new String[] {"echo-client", "--prefix", "p"}, "echo-client needs --broker"),
        Arguments.of(new String[] {"echo-client", "--broker", " "}, "--broker must not be empty"),
        Arguments.of(
            new String[] {"echo-client", "--broker", "http://127.0.0.1:1883"},
            "invalid broker URI 'http://127.0.0.1:1883': the scheme must be tcp, ssl, ws or wss"),
        Arguments.of(
            new String[] {"echo-server", "--broker", "tcp://127.0.0.1:1883", "--prefix", "a/+/b"},
            "topicPrefix 'a/+/b' must not contain MQTT wildcards or NUL"));
  }

  @ParameterizedTest
  @MethodSource("badArguments")
  void badArgumentsPrintOneErrorLineAndTheUsageAndExit2(String[] args, String message) {
    CliRun r = run(args);
    assertEquals(2, r.status(), r.err());
    assertEquals("error: " + message, r.firstErrLine());
    assertTrue(r.err().contains("\nusage: java -jar grpc-mqtt-samples.jar"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void clientExitsWithTheGrpcStatusCodeWhenTheBrokerIsUnreachable() throws IOException {
    int port = CliRun.closedPort();
    CliRun r = run("echo-client", "--broker=tcp://127.0.0.1:" + port, "--text", "x");
    assertEquals(14, r.status(), r.err()); // UNAVAILABLE
    assertTrue(
        r.firstErrLine().startsWith("echo-client: Echo failed: UNAVAILABLE: "), r.firstErrLine());
  }

  @Test
  void serverExits1WhenTheBrokerIsUnreachable() throws IOException {
    int port = CliRun.closedPort();
    CliRun r = run("echo-server", "--broker", "tcp://127.0.0.1:" + port);
    assertEquals(1, r.status(), r.err());
    assertTrue(r.firstErrLine().startsWith("echo-server: cannot start: "), r.firstErrLine());
    assertEquals("", r.out());
  }
}
