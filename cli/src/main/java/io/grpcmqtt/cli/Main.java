package io.grpcmqtt.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;

/** Entry point of {@code java -jar grpc-mqtt.jar}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // grpc-java and Netty log through java.util.logging: send that to Logback too.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int code = commandLine(System.in, out, err).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** The whole command tree, reading requests from {@code in}; exit codes as documented. */
  static CommandLine commandLine(InputStream in, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new GrpcMqttCommand(in));
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new Failures());
    return cli;
  }

  /**
   * Reports what went wrong in one line instead of a stack trace: a {@link CliException} is an
   * error of the user's input (exit 2, like a usage error), anything else a failure (exit 1).
   */
  private static final class Failures implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(
        Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
      PrintWriter err = cli.getErr();
      if (e instanceof CliException) {
        err.println("grpc-mqtt " + cli.getCommandName() + ": " + e.getMessage());
        err.println("Try 'grpc-mqtt " + qualifiedName(cli) + " --help' for more information.");
        return CommandLine.ExitCode.USAGE;
      }
      err.println("grpc-mqtt " + cli.getCommandName() + ": " + e);
      if (Boolean.getBoolean("grpcmqtt.debug")) {
        e.printStackTrace(err);
      }
      return CommandLine.ExitCode.SOFTWARE;
    }

    private static String qualifiedName(CommandLine cli) {
      String name = cli.getCommandName();
      for (CommandLine parent = cli.getParent(); parent != null && parent.getParent() != null;
          parent = parent.getParent()) {
        name = parent.getCommandName() + " " + name;
      }
      return name;
    }
  }
}
