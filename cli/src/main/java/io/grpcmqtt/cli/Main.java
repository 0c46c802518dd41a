package io.grpcmqtt.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
    cli.setParameterExceptionHandler(new BadUsage(cli.getParameterExceptionHandler()));
    return cli;
  }

  /**
   * Reports what went wrong in one line instead of a stack trace: a {@link CliException} is an
   * error of the user's input (exit 2, like a usage error), anything else a failure (exit 1). A
   * command run with {@code --format json} gets the line as JSON ({@link ErrorFormat}).
   */
  private static final class Failures implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(
        Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
      PrintWriter err = cli.getErr();
      ErrorFormat format = formatOf(cli);
      if (e instanceof CliException) {
        format.usage(err, cli.getCommandName(), qualifiedName(cli), e.getMessage());
        return CommandLine.ExitCode.USAGE;
      }
      format.failure(err, cli.getCommandName(), e.toString());
      if (Boolean.getBoolean("grpcmqtt.debug")) {
        e.printStackTrace(err);
      }
      return CommandLine.ExitCode.SOFTWARE;
    }
  }

  /** Usage errors found while parsing the command line; as JSON where it asks for --format json. */
  private static final class BadUsage implements CommandLine.IParameterExceptionHandler {
    private final CommandLine.IParameterExceptionHandler standard;

    BadUsage(CommandLine.IParameterExceptionHandler standard) {
      this.standard = standard;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) throws Exception {
      List<String> all = List.of(args);
      int i = all.indexOf("--format");
      boolean json = all.contains("--format=json") || (i >= 0 && i + 1 < all.size() && all.get(i + 1).equals("json"));
      if (!json) {
        return standard.handleParseException(e, args);
      }
      ErrorFormat.json.usage(e.getCommandLine().getErr(), e.getCommandLine().getCommandName(),
          qualifiedName(e.getCommandLine()), e.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
  }

  private static ErrorFormat formatOf(CommandLine cli) {
    return cli.getCommand() instanceof CallCommand call && call.format != null ? call.format : ErrorFormat.text;
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
