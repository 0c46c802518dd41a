package io.grpcmqtt.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import io.grpcmqtt.codegen.testproto.ShopProto;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real protoc from Maven Central running the plugin: what users see on the command line. */
class ProtocRunTest {
  private static final Path TEST_PROTOS = Paths.get(System.getProperty("test.protos"));
  private static final Path INVALID = TEST_PROTOS.resolveSibling("invalid-protos");

  @TempDir static Path work;
  private static Path plugin;

  @BeforeAll
  static void launcher() throws Exception {
    plugin = Protoc.classPathLauncher(work);
  }

  @Test
  void writesWhatTheInProcessGeneratorWrites() throws Exception {
    Protoc.Result result =
        Protoc.run(work, plugin, Map.of(), "", TEST_PROTOS, "plugintest/v1/shop.proto");
    CodeGeneratorResponse expected = Generator.generate(Requests.of(ShopProto.getDescriptor(), ""));

    assertEquals("", result.stderr());
    assertEquals(0, result.exitCode());
    assertEquals(List.of(Paths.get("asyncapi/plugintest.v1.Shop.asyncapi.json"),
        Paths.get("io/grpcmqtt/codegen/testproto/ShopMqtt2.java")), result.files());
    for (CodeGeneratorResponse.File file : expected.getFileList()) {
      assertEquals(file.getContent(), result.read(file.getName()), file.getName());
    }
  }

  @Test
  void invalidOptionsExitNonZeroWithEveryProblemNamed() throws Exception {
    Protoc.Result result =
        Protoc.run(work, plugin, Map.of(), "", INVALID, "bad/two_problems.proto");

    assertEquals(1, result.exitCode());
    assertEquals("--grpc-mqtt_out: bad/two_problems.proto: service bad.v1.Broken, method Get, option"
        + " (grpcmqtt.method).topic: invalid topic template \"things/{nmae}\": field path 'nmae':"
        + " message bad.v1.Req has no field 'nmae'\n"
        + "bad/two_problems.proto: service bad.v1.Broken, method Put, option (grpcmqtt.method).qos:"
        + " QoS 2 is not supported: use 0 or 1\n", result.stderr());
    assertEquals(List.of(), result.files());
  }

  @Test
  void collisionsAcrossFilesOfOneRunAreFound() throws Exception {
    Protoc.Result result = Protoc.run(work, plugin, Map.of(), "", INVALID,
        "bad/collide_a.proto", "bad/collide_b.proto");

    assertEquals(1, result.exitCode());
    assertEquals("--grpc-mqtt_out: bad/collide_b.proto: service bad.b.B, method Lookup, option"
        + " (grpcmqtt.method).topic: topic template \"items/{id}\" overlaps the topic template"
        + " \"items/{id}\" of method bad.a.A/Get (bad/collide_a.proto): both match topic"
        + " \"items/x\"\n", result.stderr());
  }

  @Test
  void badParametersExitNonZero() throws Exception {
    Protoc.Result result = Protoc.run(work, plugin, Map.of(), "colour=blue", TEST_PROTOS,
        "plugintest/v1/shop.proto");

    assertEquals(1, result.exitCode());
    assertEquals("--grpc-mqtt_out: unknown parameter 'colour' (known: prefix, java, asyncapi,"
        + " version)\n", result.stderr());
  }
}
