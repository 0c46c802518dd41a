package io.grpcmqtt.cli;

import io.grpc.Server;
import io.grpcmqtt.bridge.IngressProxy;
import io.grpcmqtt.bridge.MethodTypes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code grpc-mqtt proxy ingress}: an HTTP/2 gRPC server forwarding every call over MQTT. */
@Command(
    name = "ingress",
    header = "Forward HTTP/2 gRPC calls from unmodified clients over MQTT.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Serves gRPC over HTTP/2 on --listen and forwards every call, whatever its method, over"
            + " the broker, until SIGTERM.%n%n"
            + "Give the services' definitions (--proto or --descriptor-set) when grpc-mqtt servers"
            + " host them: over MQTT a call announces its kind, which HTTP/2 does not carry."
            + " Without them every call is forwarded as bidi streaming, which egress proxies"
            + " serve for every kind, but which a grpc-mqtt server hosting a unary method"
            + " rejects (INVALID_ARGUMENT).")
final class IngressCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(IngressCommand.class);

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:50051",
      converter = HostPortConverter.class,
      description = "Where gRPC clients connect, plaintext HTTP/2 (default: ${DEFAULT-VALUE}).")
  InetSocketAddress listen;

  @Mixin BrokerOptions broker;

  @Mixin DescriptorOptions descriptors;

  @Option(
      names = "--default-deadline",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "30s",
      description = "Deadline of forwarded calls whose client set none; 0 for none (default: ${DEFAULT-VALUE}).")
  Duration defaultDeadline;

  @Override
  public Integer call() throws Exception {
    MethodTypes types = descriptors.isEmpty() ? MethodTypes.allBidi() : MethodTypes.of(descriptors.load());
    Server server =
        IngressProxy.forAddress(listen, broker.channel().defaultDeadline(defaultDeadline).build())
            .methodTypes(types)
            .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new CliException("cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    String what = "ingress proxy on " + server.getListenSockets() + " -> " + broker.uri;
    log.info(
        "{} (topics under '{}'; {})", what, broker.prefix,
        types.size() == 0
            ? "no descriptors: every call forwarded as bidi streaming"
            : types.size() + " methods with known kinds, others as bidi streaming");
    UntilTerminated.await(log, what, () -> UntilTerminated.stop(server));
    return 0;
  }
}
