package io.grpcmqtt.cli;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.GenericDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code grpc-mqtt describe}: a service, method, message or enum, in proto syntax with topics. */
@Command(
    name = "describe",
    header = "Describe a service, method, message or enum, with its topics.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Describes SYMBOL (a service, a method, a message or an enum) in proto syntax, with"
            + " the MQTT topics, call kind and mapping options (QoS, timeout, idempotent) of each"
            + " method, and where MQTT 3.1.1 devices call its unary methods; a method or message comes with every message and enum type its fields"
            + " use. Without SYMBOL, every service.")
final class DescribeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DescriptorOptions descriptors;

  @Option(
      names = "--prefix",
      paramLabel = "PREFIX",
      defaultValue = "grpc",
      description = "First topic level(s) of every topic (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SYMBOL",
      description = "package.Service, package.Service/Method, package.Message or package.Enum")
  String symbol;

  @Override
  public Integer call() throws CliException {
    Symbols symbols = new Symbols(descriptors.load());
    ProtoText text = new ProtoText(Mappings.of(prefix, symbols.services()));
    PrintWriter out = spec.commandLine().getOut();
    if (symbol == null) {
      for (ServiceDescriptor service : symbols.services()) {
        out.print(text.service(service));
      }
      out.flush();
      return 0;
    }
    GenericDescriptor found = symbols.find(symbol);
    if (found == null) {
      throw new CliException("unknown symbol '" + symbol + "': not a service, method, message or enum of the given descriptors");
    }
    if (found instanceof ServiceDescriptor) {
      out.print(text.service((ServiceDescriptor) found));
    } else if (found instanceof MethodDescriptor) {
      MethodDescriptor method = (MethodDescriptor) found;
      out.print(text.method(method, ""));
      out.print(text.messages(List.of(method.getInputType(), method.getOutputType())));
    } else if (found instanceof Descriptor) {
      out.print(text.messages(List.of((Descriptor) found)));
    } else {
      out.print(text.enumeration((EnumDescriptor) found));
    }
    out.flush();
    return 0;
  }
}
