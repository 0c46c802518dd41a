package io.grpcmqtt.cli;

import com.google.common.io.BaseEncoding;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.mapper.table.MappedMethod;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
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
            + " and is not sent; a bad option or an unknown method is a usage error (2).%n%n"
            + "A method mapped to a topic template by grpcmqtt/options.proto is called on its"
            + " default topic, which its servers always serve; --template or --topic call it on"
            + " the template's topic, as a device would.",
    footer = {
      "%nExamples:",
      "  grpc-mqtt call --proto echo.proto echo.v1.Echo/Echo -d '{\"text\":\"hi\"}'",
      "  printf '{\"n\":1}\\n{\"n\":2}\\n' | \\",
      "    grpc-mqtt call --descriptor-set api.pb pkg.Svc/Collect",
      "  grpc-mqtt call -b tcp://broker:1883 -I protos --proto pkg/api.proto \\",
      "    -H 'x-user: me' --timeout 5s pkg.Svc/Get -d '{}'",
      "  grpc-mqtt call --proto lamps.proto --topic lamps/kitchen/7/switch \\",
      "    pkg.Lamps/Switch -d '{\"on\":true}' --format json -v"
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
      names = "--template",
      description = "Publish to the method's topic template ((grpcmqtt.method).topic), its variables"
          + " filled from the request's fields, instead of to its default topic.")
  boolean template;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      description = "Publish to TOPIC, a topic of the method's template: its levels set the request"
          + " fields the template binds (over those of --data). Implies --template.")
  String topic;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Deadline of the call: 500ms, 10s, 2m, 1h. Default: the method's"
          + " (grpcmqtt.method).timeout, else 30s; 0: none but that option's.")
  Duration timeout;

  @Option(names = "--client-id", paramLabel = "ID", description = "MQTT client id (default: a random one).")
  String clientId;

  @Option(names = "--emit-defaults", description = "Print fields that have their default value too.")
  boolean emitDefaults;

  @Option(
      names = {"-v", "--verbose"},
      description = "Print what the call does on stderr: topics, QoS, deadline, request metadata,"
          + " response headers and trailers, timing.")
  boolean verbose;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "How an error is reported on stderr: text, or json (one line: {\"kind\":"
          + "\"status\",\"code\":14,\"status\":\"UNAVAILABLE\",\"message\":...,\"trailers\":{...}},"
          + " kind usage or failure for the tool's own errors) (default: ${DEFAULT-VALUE}).")
  ErrorFormat format;

  @Override
  public Integer call() throws Exception {
    Logs.quiet();
    Symbols symbols = new Symbols(descriptors.load());
    MethodDescriptor method = symbols.method(methodName);
    MappedMethod mapping = Mappings.of(broker.prefix, List.of(method.getService())).mapped(method);
    CallTopic callTopic = CallTopic.of(mapping, template, topic);
    Metadata metadata = parseHeaders(headers);
    TypeRegistry types = symbols.typeRegistry();
    JsonFormat.Parser parser = JsonFormat.parser().usingTypeRegistry(types);
    JsonFormat.Printer printer = JsonFormat.printer().usingTypeRegistry(types).omittingInsignificantWhitespace();
    if (emitDefaults) {
      printer = printer.alwaysPrintFieldsWithNoPresence();
    }
    PrintWriter err = spec.commandLine().getErr();

    RequestSource requests;
    String requestTopic;
    try {
      if (method.isClientStreaming()) {
        requests = streamedRequests(method, parser);
        requestTopic = callTopic.topicOf(null);
      } else {
        DynamicMessage request = callTopic.fill(singleRequest(method, parser));
        requests = RequestSource.of(List.of(request));
        requestTopic = callTopic.topicOf(request);
      }
    } catch (RequestSource.InvalidRequest e) {
      format.status(err, "call", Status.INVALID_ARGUMENT.withDescription(e.getMessage()), null);
      return Status.Code.INVALID_ARGUMENT.value();
    }
    String id = clientId != null ? clientId : CallTrace.randomClientId();
    CallTrace trace = verbose ? new CallTrace(err) : CallTrace.off();
    trace.call(DynamicMethods.of(method), broker.uri, id, broker.prefix);
    trace.request(requestTopic, callTopic.origin(), mapping, timeout, metadata, callTopic.usesTemplate());

    MqttChannelBuilder builder = broker.channel().clientId(id).templateTopics(callTopic.usesTemplate());
    CallOptions options = CallOptions.DEFAULT;
    if (timeout != null && timeout.isZero()) {
      builder.defaultDeadline(Duration.ZERO);
    } else if (timeout != null) {
      options = options.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    ManagedChannel channel = builder.build();
    try {
      return new JsonCall(channel, DynamicMethods.of(method), options, metadata, printer,
              spec.commandLine().getOut(), err, trace, format)
          .run(requests);
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The one request of a unary or server-streaming call, read (and checked) before it starts. */
  private DynamicMessage singleRequest(MethodDescriptor method, JsonFormat.Parser parser)
      throws RequestSource.InvalidRequest {
    if (!"@".equals(data)) {
      return RequestSource.parse(parser, method.getInputType(), data == null ? "{}" : data, "--data");
    }
    RequestSource lines = stdinLines(method, parser);
    DynamicMessage only = lines.next();
    if (only == null || lines.next() != null) {
      throw new RequestSource.InvalidRequest(
          method.getName() + " takes exactly one request; stdin must hold one JSON line");
    }
    return only;
  }

  /** The requests of a client- or bidi-streaming call: --data, else stdin's lines as it sends. */
  private RequestSource streamedRequests(MethodDescriptor method, JsonFormat.Parser parser)
      throws RequestSource.InvalidRequest {
    if (data == null || "@".equals(data)) {
      return stdinLines(method, parser);
    }
    return RequestSource.of(List.of(RequestSource.parse(parser, method.getInputType(), data, "--data")));
  }

  private RequestSource stdinLines(MethodDescriptor method, JsonFormat.Parser parser) {
    return RequestSource.lines(
        new BufferedReader(new InputStreamReader(parent.stdin(), StandardCharsets.UTF_8)),
        parser, method.getInputType());
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
