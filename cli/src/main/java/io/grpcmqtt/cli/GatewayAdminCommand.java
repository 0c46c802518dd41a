package io.grpcmqtt.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code grpc-mqtt gateway}: what operators ask a RobustMQ Gateway. */
@Command(
    name = "gateway",
    header = "Ask a RobustMQ Gateway about its queues.",
    mixinStandardHelpOptions = true,
    subcommands = GatewayStatsCommand.class)
final class GatewayAdminCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command: stats");
  }
}
