package io.grpcmqtt.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpcmqtt.gateway.v1.RobustMQGatewayAdminGrpc;
import io.grpcmqtt.gateway.v1.StatsRequest;
import io.grpcmqtt.gateway.v1.StatsResponse;
import io.grpcmqtt.gateway.v1.TopicStats;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code grpc-mqtt gateway stats}: the Gateway's queues as a table (or JSON lines). */
@Command(
    name = "stats",
    header = "Show a Gateway's queues: depth, leased (in flight), oldest message age, redeliveries.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Asks a RobustMQ Gateway (robustmq.gateway.v1.RobustMQGatewayAdmin/Stats) through its MQTT"
            + " broker (--broker, the default) or its HTTP/2 listener (--grpc) and prints one line"
            + " per queue, largest first. Depth, leased and age come from the Gateway's store (all"
            + " instances sharing it); redeliveries are those of the instance that answered, since it"
            + " started.%n%nExits 0, or with the gRPC status code of a failed call (14 UNAVAILABLE:"
            + " no Gateway answered).",
    footer = {
      "%nExamples:",
      "  grpc-mqtt gateway stats",
      "  grpc-mqtt gateway stats --grpc 127.0.0.1:50051 --topic-prefix sensors/",
      "  grpc-mqtt gateway stats -b tcp://broker:1883 --json"
    })
final class GatewayStatsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin BrokerOptions broker;

  @Option(
      names = "--grpc",
      paramLabel = "HOST:PORT",
      converter = HostPortConverter.class,
      description = "Ask the Gateway's plain HTTP/2 listener (--grpc-listen) instead of going through the broker.")
  InetSocketAddress grpc;

  @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = "",
      description = "Only topics starting with PREFIX.")
  String topicPrefix;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
      description = "At most N topics, the largest queues first (default: ${DEFAULT-VALUE}; at most 10000).")
  int limit;

  @Option(names = "--json", description = "One JSON object per topic instead of the table.")
  boolean json;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
      description = "Deadline of the call (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    if (limit < 1 || limit > 10_000) {
      throw new CliException("--limit must be in 1..10000, was " + limit);
    }
    Logs.quiet();
    ManagedChannel channel = grpc != null
        ? NettyChannelBuilder.forAddress(grpc.getHostString(), grpc.getPort()).usePlaintext().build()
        : broker.channel().build();
    PrintWriter out = spec.commandLine().getOut();
    try {
      StatsResponse stats = RobustMQGatewayAdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .stats(StatsRequest.newBuilder().setTopicPrefix(topicPrefix).setLimit(limit).build());
      if (json) {
        for (TopicStats t : stats.getTopicsList()) {
          out.println(com.google.protobuf.util.JsonFormat.printer().omittingInsignificantWhitespace()
              .alwaysPrintFieldsWithNoPresence().print(t));
        }
      } else {
        print(stats, out);
      }
      out.flush();
      return 0;
    } catch (StatusRuntimeException e) {
      spec.commandLine().getErr().println("grpc-mqtt gateway stats: " + e.getStatus().getCode()
          + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()));
      return e.getStatus().getCode().value();
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static void print(StatsResponse stats, PrintWriter out) {
    int width = "TOPIC".length();
    for (TopicStats t : stats.getTopicsList()) {
      width = Math.max(width, t.getTopic().length());
    }
    String row = "%-" + width + "s  %8s  %8s  %10s  %12s%n";
    out.printf(row, "TOPIC", "DEPTH", "LEASED", "OLDEST", "REDELIVERED");
    for (TopicStats t : stats.getTopicsList()) {
      out.printf(row, t.getTopic(), t.getDepth(), t.getLeased(), age(t.getOldestAgeMs()), t.getRedeliveries());
    }
    out.printf("%d topic(s)%s; instance %s at %s%n", stats.getTopicsCount(),
        stats.getOmittedTopics() == 0 ? "" : " (" + stats.getOmittedTopics() + " more not shown: --limit)",
        stats.getInstance(), Instant.ofEpochMilli(stats.getTimeMs()));
  }

  /** 850ms, 12.3s, 4m05s, 3h12m. */
  static String age(long ms) {
    if (ms < 1_000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format("%.1fs", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
