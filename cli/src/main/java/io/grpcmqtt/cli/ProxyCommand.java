package io.grpcmqtt.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code grpc-mqtt proxy}: the two halves of the network bridge. */
@Command(
    name = "proxy",
    header = "Run the ingress or the egress proxy of the network bridge.",
    mixinStandardHelpOptions = true,
    description = {
      "Runs one half of the network bridge until SIGTERM.",
      "  ingress: unmodified gRPC clients (HTTP/2) -> MQTT",
      "  egress:  MQTT -> an unmodified gRPC server (HTTP/2)"
    },
    subcommands = {IngressCommand.class, EgressCommand.class})
final class ProxyCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing proxy kind: ingress or egress");
  }
}
