package io.grpcmqtt.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.Struct;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import com.google.protobuf.util.JsonFormat;
import io.grpcmqtt.codegen.testproto.ShopProto;
import io.grpcmqtt.options.MethodMapping;
import io.grpcmqtt.options.OptionsProto;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The generator run in-process on requests built from descriptors protoc compiled. */
class GeneratorTest {
  private static final String JAVA = "io/grpcmqtt/codegen/testproto/ShopMqtt2.java";
  private static final String ASYNCAPI = "asyncapi/plugintest.v1.Shop.asyncapi.json";

  private static Map<String, String> generate(String parameter) {
    CodeGeneratorResponse response = Generator.generate(Requests.of(ShopProto.getDescriptor(), parameter));
    assertFalse(response.hasError(), response.getError());
    return response.getFileList().stream()
        .collect(Collectors.toMap(CodeGeneratorResponse.File::getName,
            CodeGeneratorResponse.File::getContent, (a, b) -> a, java.util.LinkedHashMap::new));
  }

  @Test
  void writesAJavaClassAndAnAsyncApiDocumentPerServiceAvoidingTakenClassNames() {
    Map<String, String> files = generate("");

    assertEquals(List.of(JAVA, ASYNCAPI), List.copyOf(files.keySet()));
    assertTrue(files.get(JAVA).contains("public final class ShopMqtt2 {"));
    assertTrue(files.get(JAVA).contains("    ORDER(\"Order\", io.grpc.MethodDescriptor.MethodType.UNARY,"
        + " true, \"shops/{shop}/orders\",\n        \"shops/+/orders\", \"item\", -1, -1L, false),\n"));
    assertTrue(files.get(JAVA).contains("    WATCH(\"Watch\","
        + " io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING, false,"
        + " \"grpc/plugintest.v1.Shop/Watch\",\n        \"grpc/plugintest.v1.Shop/+\", \"*\", -1, -1L, false);\n"));
    assertTrue(files.get(JAVA).contains(
        "public static java.lang.String orderTopic(io.grpcmqtt.codegen.testproto.OrderRequest request) {"));
  }

  @Test
  void asyncApiDocumentIsJsonWithEveryTopicAndReply() throws Exception {
    Struct.Builder doc = Struct.newBuilder();
    JsonFormat.parser().merge(generate("version=2.1.0").get(ASYNCAPI), doc);

    Struct channels = doc.getFieldsOrThrow("channels").getStructValue();
    assertEquals("3.1.0", doc.getFieldsOrThrow("asyncapi").getStringValue());
    assertEquals("2.1.0", doc.getFieldsOrThrow("info").getStructValue()
        .getFieldsOrThrow("version").getStringValue());
    // The unary method is also on the MQTT 3.1.1 binding; replies of all on one channel.
    assertEquals(List.of("Order", "Order-reply", "Order.mqtt311", "Watch", "Watch-reply", "mqtt311.reply"),
        List.copyOf(channels.getFieldsMap().keySet()));
    assertEquals("grpc/_311/req/{replyRef}/{requestId}/{options}/shops/{shop}/orders",
        channels.getFieldsOrThrow("Order.mqtt311").getStructValue().getFieldsOrThrow("address").getStringValue());
    assertEquals("grpc/_311/res/{replyRef}/{requestId}/{status}",
        channels.getFieldsOrThrow("mqtt311.reply").getStructValue().getFieldsOrThrow("address").getStringValue());
    assertEquals("shops/{shop}/orders", channels.getFieldsOrThrow("Order").getStructValue()
        .getFieldsOrThrow("address").getStringValue());
    assertEquals("grpc/plugintest.v1.Shop/Watch", channels.getFieldsOrThrow("Watch")
        .getStructValue().getFieldsOrThrow("address").getStringValue());
    assertTrue(channels.getFieldsOrThrow("Order-reply").getStructValue()
        .getFieldsOrThrow("address").hasNullValue());
  }

  @ParameterizedTest
  @CsvSource({"java=false, asyncapi", "asyncapi=false, java"})
  void parametersTurnOutputsOff(String parameter, String kept) {
    Map<String, String> files = generate(parameter);

    assertEquals(List.of(kept.equals("java") ? JAVA : ASYNCAPI), List.copyOf(files.keySet()));
  }

  @Test
  void prefixParameterMovesTheDefaultTopics() {
    String java = generate("prefix=acme/rpc").get(JAVA);

    assertTrue(java.contains("\"acme/rpc/plugintest.v1.Shop/Watch\",\n        \"acme/rpc/plugintest.v1.Shop/+\""));
    assertTrue(java.contains("public static final java.lang.String DEFAULT_PREFIX = \"acme/rpc\";"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "nope=1 | unknown parameter 'nope' (known: prefix, java, asyncapi, version)",
      "java=yes | parameter 'java' must be true or false, not 'yes'",
      "prefix=a/+ | parameter prefix: invalid topic prefix 'a/+': invalid topic template \"a/+\":"
          + " MQTT wildcard '+' is not allowed at position 2"})
  void badParametersAreReportedAsErrors(String parameter, String error) {
    CodeGeneratorResponse response = Generator.generate(Requests.of(ShopProto.getDescriptor(), parameter));

    assertEquals(error, response.getError());
    assertEquals(0, response.getFileCount());
  }

  @Test
  void invalidOptionsFailTheRunNamingFileServiceMethodAndOption() {
    Function<FileDescriptorProto, FileDescriptorProto> breakOrder = file -> {
      FileDescriptorProto.Builder b = file.toBuilder();
      b.getServiceBuilder(0).getMethodBuilder(0).setOptions(MethodOptions.newBuilder()
          .setExtension(OptionsProto.method, MethodMapping.newBuilder()
              .setTopic("shops/{shop}/orders").setBody("shop").build()));
      return b.build();
    };
    CodeGeneratorRequest request =
        Requests.of(ShopProto.getDescriptor(), "", breakOrder::apply);

    CodeGeneratorResponse response = Generator.generate(request);

    assertEquals("plugintest/v1/shop.proto: service plugintest.v1.Shop, method Order, option"
        + " (grpcmqtt.method).body: field 'shop' of plugintest.v1.OrderRequest is bound in topic"
        + " template \"shops/{shop}/orders\", so it cannot also be the body", response.getError());
    assertEquals(0, response.getFileCount());
  }

  @Test
  void declaresProto3OptionalSupport() {
    CodeGeneratorResponse response = Generator.generate(Requests.of(ShopProto.getDescriptor(), ""));

    assertEquals(CodeGeneratorResponse.Feature.FEATURE_PROTO3_OPTIONAL_VALUE,
        response.getSupportedFeatures());
  }

  @Test
  void mainReadsTheRequestFromStdinAndWritesTheResponseToStdout() throws Exception {
    byte[] request = Requests.of(ShopProto.getDescriptor(), "").toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int exit = ProtocPlugin.run(new String[0], new ByteArrayInputStream(request), out,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Optional.empty());

    assertEquals(0, exit);
    assertEquals(2, CodeGeneratorResponse.parseFrom(out.toByteArray()).getFileCount());
  }

  @Test
  void runByHandItPrintsUsage() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);

    int help = ProtocPlugin.run(new String[] {"--help"}, new ByteArrayInputStream(new byte[0]),
        new ByteArrayOutputStream(), errStream, Optional.empty());
    int garbage = ProtocPlugin.run(new String[0], new ByteArrayInputStream(new byte[] {(byte) 0xff}),
        new ByteArrayOutputStream(), errStream, Optional.empty());

    assertEquals(0, help);
    assertEquals(2, garbage);
    String text = err.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith(ProtocPlugin.USAGE + "\nstdin is not a CodeGeneratorRequest ("), text);
    assertTrue(text.endsWith(ProtocPlugin.USAGE + "\n"), text);
  }
}
