package io.grpcmqtt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command has --help; bad arguments are usage errors (exit 2) that say what is wrong. */
class UsageTest {
  @ParameterizedTest
  @ValueSource(strings = {"", "call", "list", "describe", "proxy", "proxy ingress", "proxy egress", "broker"})
  void everyCommandHasHelp(String command) {
    List<String> args = new java.util.ArrayList<>(command.isEmpty() ? List.of() : List.of(command.split(" ")));
    args.add("--help");
    Cli r = Cli.run(args.toArray(new String[0]));
    assertEquals(0, r.exit, r.toString());
    assertTrue(r.out.contains("Usage: grpc-mqtt" + (command.isEmpty() ? "" : " " + command)), r.toString());
  }

  @Test
  void versionIsPrinted() {
    Cli r = Cli.run("--version");
    assertEquals(0, r.exit, r.toString());
    assertTrue(r.out.startsWith("grpc-mqtt "), r.toString());
  }

  @Test
  void missingCommand() {
    assertUsageError(Cli.run(), "Missing command");
    assertUsageError(Cli.run("proxy"), "Missing proxy kind");
  }

  @Test
  void badArguments() {
    assertUsageError(Cli.run("call"), "Missing required parameter: 'METHOD'");
    assertUsageError(Cli.run("call", "--bogus", "a.B/C"), "Unknown option: '--bogus'");
    assertUsageError(Cli.run(Cli.withCounterProto("call", "--timeout", "soon", "a.B/C")), "'soon' is not a duration");
    assertUsageError(Cli.run(Cli.withCounterProto("call", "-H", "novalue", Cli.COUNTER + "/Add")), "-H 'novalue' is not KEY:VALUE");
    assertUsageError(Cli.run(Cli.withCounterProto("call", "-H", "x-bin: %%%", Cli.COUNTER + "/Add")), "-H 'x-bin: %%%'");
    assertUsageError(Cli.run("call", "a.B/C"), "no service definitions: give --proto FILE or --descriptor-set FILE");
    assertUsageError(Cli.run("call", "--descriptor-set", "/no/such.pb", "a.B/C"), "descriptor set /no/such.pb does not exist");
    assertUsageError(Cli.run("call", "--proto", "/no/such.proto", "a.B/C"), "--proto /no/such.proto does not exist");
    assertUsageError(
        Cli.run(Cli.withCounterProto("call", "--protoc", "/no/protoc", "a.B/C")), "--protoc /no/protoc is not an executable file");
    assertUsageError(Cli.run("proxy", "ingress", "--listen", "nowhere"), "'nowhere' is not host:port");
    assertUsageError(Cli.run("proxy", "egress", "--broker", "tcp://127.0.0.1:1"), "Missing required option: '--target=HOST:PORT'");
    assertUsageError(
        Cli.run("proxy", "egress", "--target", "127.0.0.1:1", "--broker", "tcp://127.0.0.1:1"),
        "no service to forward");
    assertUsageError(
        Cli.run("proxy", "egress", "--target", "127.0.0.1:1", "--service", "a/b", "--broker", "tcp://127.0.0.1:1"),
        "invalid service name 'a/b'");
    assertUsageError(Cli.run("broker", "--port", "70000"), "--port 70000 is out of range");
  }

  @Test
  void protocErrorsAreShown(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path broken = dir.resolve("broken.proto");
    java.nio.file.Files.writeString(broken, "syntax = \"proto3\";\nmessage {\n");
    Cli r = Cli.run("list", "--proto", broken.toString());
    assertUsageError(r, "protoc failed (exit 1):");
    assertTrue(r.err.contains("broken.proto:2"), r.toString());
  }

  static void assertUsageError(Cli r, String message) {
    assertEquals(2, r.exit, r.toString());
    assertTrue(r.err.contains(message), "expected '" + message + "' in:\n" + r);
    assertTrue(r.err.contains("--help") || r.err.contains("Usage:"), r.toString());
  }
}
