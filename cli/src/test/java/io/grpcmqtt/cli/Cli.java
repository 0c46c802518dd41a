package io.grpcmqtt.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs the tool in this JVM, with a given stdin, and captures what it printed. */
final class Cli {
  /** The test .proto files (counter.proto imports types.proto from here). */
  static final Path PROTOS =
      Paths.get(System.getProperty("cli.test.protos", "src/test/protobuf")).toAbsolutePath();
  static final Path COUNTER_PROTO = PROTOS.resolve("grpcmqtt/cli/test/v1/counter.proto");
  static final String COUNTER = "grpcmqtt.cli.test.v1.Counter";

  final int exit;
  final String out;
  final String err;

  private Cli(int exit, String out, String err) {
    this.exit = exit;
    this.out = out;
    this.err = err;
  }

  static Cli runWithStdin(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        Main.commandLine(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true),
                new PrintWriter(err, true))
            .execute(args);
    return new Cli(exit, out.toString(), err.toString());
  }

  static Cli run(String... args) {
    return runWithStdin("", args);
  }

  /** {@code args} followed by {@code --proto counter.proto -I <protos>}. */
  static String[] withCounterProto(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--proto", COUNTER_PROTO.toString(), "-I", PROTOS.toString()));
    return all.toArray(new String[0]);
  }

  List<String> lines() {
    return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
