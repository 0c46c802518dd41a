package io.grpcmqtt.cli;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code grpc-mqtt list}: services, or one service's methods, with their topics. */
@Command(
    name = "list",
    header = "List services, or a service's methods, with their MQTT topics.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Lists the services in the given descriptors with the topic filters their servers"
            + " subscribe to; with SERVICE, lists its methods with their request topics: the"
            + " default one and, if grpcmqtt/options.proto maps the method, its template.")
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DescriptorOptions descriptors;

  @Option(
      names = "--prefix",
      paramLabel = "PREFIX",
      defaultValue = "grpc",
      description = "First topic level(s) of every topic (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE", description = "package.Service")
  String service;

  @Override
  public Integer call() throws CliException {
    Symbols symbols = new Symbols(descriptors.load());
    PrintWriter out = spec.commandLine().getOut();
    if (service == null) {
      List<ServiceDescriptor> services = symbols.services();
      Mappings mappings = Mappings.of(prefix, services);
      for (ServiceDescriptor s : services) {
        out.println(s.getFullName() + "\t" + String.join("\t", mappings.filters(s)));
      }
    } else {
      ServiceDescriptor s = symbols.service(service);
      Mappings mappings = Mappings.of(prefix, List.of(s));
      for (MethodDescriptor m : s.getMethods()) {
        String full = s.getFullName() + "/" + m.getName();
        String template = mappings.template(m);
        out.println(full + "\t" + mappings.defaultTopic(m) + (template == null ? "" : "\t" + template));
      }
    }
    out.flush();
    return 0;
  }
}
