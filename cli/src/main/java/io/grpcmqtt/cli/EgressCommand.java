package io.grpcmqtt.cli;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.Server;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.bridge.EgressProxy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code grpc-mqtt proxy egress}: takes the calls of some services from MQTT to an HTTP/2 server. */
@Command(
    name = "egress",
    header = "Forward calls from MQTT to an unmodified HTTP/2 gRPC server.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Takes the calls of the given services from the broker and forwards each to the gRPC"
            + " server at --target over plaintext HTTP/2, until SIGTERM. The services are those"
            + " named with --service and every service in --proto / --descriptor-set files."
            + " Several egress proxies for a service split its calls.%n%n"
            + "Services given by their definitions are hosted with their call kinds and message"
            + " types: MQTT devices may call them with JSON, and malformed requests are rejected"
            + " at the proxy. Services given by name alone take protobuf only.")
final class EgressCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(EgressCommand.class);

  @Option(
      names = "--target",
      paramLabel = "HOST:PORT",
      required = true,
      description = "The gRPC server to forward to (plaintext HTTP/2).")
  String target;

  @Option(
      names = {"-s", "--service"},
      paramLabel = "SERVICE",
      description = "A service to forward, package.Service (repeatable).")
  List<String> services = new ArrayList<>();

  @Mixin BrokerOptions broker;

  @Mixin DescriptorOptions descriptors;

  @Option(
      names = "--shared-group",
      paramLabel = "GROUP",
      defaultValue = "grpc-mqtt",
      description = "Shared-subscription group: proxies and servers in one group split the calls (default: ${DEFAULT-VALUE}).")
  String sharedGroup;

  @Override
  public Integer call() throws Exception {
    new HostPortConverter().convert(target);
    List<ServiceDescriptor> described = new ArrayList<>();
    if (!descriptors.isEmpty()) {
      for (FileDescriptor file : descriptors.load()) {
        described.addAll(file.getServices());
      }
    }
    if (services.isEmpty() && described.isEmpty()) {
      throw new CliException("no service to forward: give --service NAME, or --proto / --descriptor-set files defining services");
    }
    EgressProxy.Builder builder;
    Set<String> names = new LinkedHashSet<>();
    try {
      MqttServerBuilder mqtt = broker.server().sharedSubscriptionGroup(sharedGroup);
      builder = EgressProxy.forTarget(mqtt, target);
      for (ServiceDescriptor service : described) {
        builder.addService(service);
        names.add(service.getFullName());
      }
      for (String name : services) {
        if (names.add(name)) {
          builder.addService(name);
        }
      }
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), e);
    }
    Server server = builder.build();
    try {
      server.start();
    } catch (IOException e) {
      throw new CliException("cannot connect to " + broker.uri + ": " + e.getMessage(), e);
    }
    String what = "egress proxy " + broker.uri + " -> " + target;
    log.info("{} for {} (requests on {})", what, names,
        names.stream().map(broker::serviceFilter).collect(java.util.stream.Collectors.toList()));
    UntilTerminated.await(log, what, () -> UntilTerminated.stop(server));
    return 0;
  }
}
