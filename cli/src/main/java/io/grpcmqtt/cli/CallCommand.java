package io.grpcmqtt.cli;

import com.google.common.io.BaseEncoding;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.protobuf.ProtoUtils;
import io.grpcmqtt.bridge.MethodTypes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code grpc-mqtt call}: one call, JSON in and out, like grpcurl. */
@Command(
    name = "call",
    header = "Call a method over MQTT with JSON requests and responses.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Calls METHOD over MQTT and prints each response as one line of JSON on stdout."
            + " Requests come from --data, or one JSON message per line from stdin (client and"
            + " bidi streaming read stdin when --data is absent).%n%n"
            + "Exits with the call's gRPC status code (0 OK, 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE,"
            + " ...); a request that is not valid JSON for the method is INVALID_ARGUMENT (3)"
            + " and is not sent; a bad option or an unknown method is a usage error (2).",
    footer = {
      "%nExamples:",
      "  grpc-mqtt call --proto echo.proto echo.v1.Echo/Echo -d '{\"text\":\"hi\"}'",
      "  printf '{\"n\":1}\\n{\"n\":2}\\n' | \\",
      "    grpc-mqtt call --descriptor-set api.pb pkg.Svc/Collect",
      "  grpc-mqtt call -b tcp://broker:1883 -I protos --proto pkg/api.proto \\",
      "    -H 'x-user: me' --timeout 5s pkg.Svc/Get -d '{}'"
    })
final class CallCommand implements Callable<Integer> {
  @ParentCommand GrpcMqttCommand parent;

  @Spec CommandSpec spec;

  @Mixin BrokerOptions broker;

  @Mixin DescriptorOptions descriptors;

  @Parameters(index = "0", paramLabel = "METHOD", description = "package.Service/Method (or package.Service.Method).")
  String methodName;

  @Option(
      names = {"-d", "--data"},
      paramLabel = "JSON",
      description = "The request in JSON; '@' reads requests from stdin, one per line. Default: {} for unary and server streaming, stdin otherwise.")
  String data;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "KEY:VALUE",
      description = "Request metadata (repeatable); values of keys ending in -bin are base64.")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "30s",
      description = "Deadline of the call: 500ms, 10s, 2m, 1h; 0 for none (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--emit-defaults", description = "Print fields that have their default value too.")
  boolean emitDefaults;

  @Option(names = {"-v", "--verbose"}, description = "Print the topic, response headers and trailers on stderr.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Logs.quietUnless(verbose);
    Symbols symbols = new Symbols(descriptors.load());
    MethodDescriptor method = symbols.method(methodName);
    Metadata metadata = parseHeaders(headers);
    TypeRegistry types = symbols.typeRegistry();
    JsonFormat.Parser parser = JsonFormat.parser().usingTypeRegistry(types);
    JsonFormat.Printer printer = JsonFormat.printer().usingTypeRegistry(types).omittingInsignificantWhitespace();
    if (emitDefaults) {
      printer = printer.alwaysPrintFieldsWithNoPresence();
    }

    RequestSource requests;
    try {
      requests = requests(method, parser);
    } catch (RequestSource.InvalidRequest e) {
      spec.commandLine().getErr().println("grpc-mqtt call: INVALID_ARGUMENT: " + e.getMessage());
      return io.grpc.Status.Code.INVALID_ARGUMENT.value();
    }
    io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod =
        io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
            .setType(MethodTypes.typeOf(method))
            .setFullMethodName(
                io.grpc.MethodDescriptor.generateFullMethodName(
                    method.getService().getFullName(), method.getName()))
            .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
            .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
            .build();
    if (verbose) {
      spec.commandLine().getErr().println(
          "calling " + grpcMethod.getFullMethodName() + " (" + grpcMethod.getType() + ") on "
              + broker.uri + ", topic " + broker.requestTopic(grpcMethod.getFullMethodName()));
    }
    ManagedChannel channel = broker.channel().defaultDeadline(timeout).build();
    try {
      return new JsonCall(
              channel, grpcMethod, metadata, printer,
              spec.commandLine().getOut(), spec.commandLine().getErr(), verbose)
          .run(requests);
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Unary and server-streaming requests are read (and checked) before the call starts. */
  private RequestSource requests(MethodDescriptor method, JsonFormat.Parser parser)
      throws RequestSource.InvalidRequest {
    boolean fromStdin = "@".equals(data) || (data == null && method.isClientStreaming());
    if (!fromStdin) {
      return RequestSource.of(List.of(
          RequestSource.parse(parser, method.getInputType(), data == null ? "{}" : data, "--data")));
    }
    RequestSource lines =
        RequestSource.lines(
            new BufferedReader(new InputStreamReader(parent.stdin(), StandardCharsets.UTF_8)),
            parser, method.getInputType());
    if (method.isClientStreaming()) {
      return lines;
    }
    DynamicMessage only = lines.next();
    if (only == null || lines.next() != null) {
      throw new RequestSource.InvalidRequest(
          method.getName() + " takes exactly one request; stdin must hold one JSON line");
    }
    return RequestSource.of(List.of(only));
  }

  private static Metadata parseHeaders(List<String> headers) throws CliException {
    Metadata metadata = new Metadata();
    for (String header : headers) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new CliException("-H '" + header + "' is not KEY:VALUE");
      }
      String key = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      try {
        if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          metadata.put(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER), BaseEncoding.base64().decode(value));
        } else {
          metadata.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
        }
      } catch (IllegalArgumentException e) {
        throw new CliException("-H '" + header + "': " + e.getMessage());
      }
    }
    return metadata;
  }
}
