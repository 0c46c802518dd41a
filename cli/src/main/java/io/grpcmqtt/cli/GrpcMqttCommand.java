package io.grpcmqtt.cli;

import java.io.InputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code grpc-mqtt}: the top of the command tree. */
@Command(
    name = "grpc-mqtt",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description =
        "gRPC over MQTT 5: call methods with JSON, list and describe services and their topics,"
            + " bridge unmodified HTTP/2 gRPC clients and servers through a broker, run a local"
            + " broker.",
    subcommands = {
      CallCommand.class,
      ListCommand.class,
      DescribeCommand.class,
      ProxyCommand.class,
      BrokerCommand.class,
      GatewayAdminCommand.class
    },
    footer =
        "%nExit codes: 'call' exits with the call's gRPC status code (0 OK ... 16"
            + " UNAUTHENTICATED); every command exits 2 on a usage error or unusable input and 1"
            + " on an unexpected failure. Run 'grpc-mqtt COMMAND --help' for a command's options.")
final class GrpcMqttCommand implements Runnable {
  private final InputStream stdin;

  @Spec CommandSpec spec;

  GrpcMqttCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  InputStream stdin() {
    return stdin;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command: call, list, describe, proxy or broker");
  }
}
