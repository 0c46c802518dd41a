package io.grpcmqtt.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped launcher script and the packaged jar, run by the real protoc as a user would:
 * runs after {@code package} (surefire execution {@code launcher-it}).
 */
class LauncherIT {
  private static final Path LAUNCHER = Paths.get(System.getProperty("plugin.launcher"));
  private static final Path TEST_PROTOS = Paths.get(System.getProperty("test.protos"));

  @TempDir Path work;

  @Test
  void generatesThroughTheLauncherAndThePackagedJar() throws Exception {
    Protoc.Result result = Protoc.run(work, LAUNCHER, Map.of(), "", TEST_PROTOS,
        "plugintest/v1/shop.proto");

    assertEquals("", result.stderr());
    assertEquals(0, result.exitCode());
    assertTrue(result.read("io/grpcmqtt/codegen/testproto/ShopMqtt2.java")
        .contains("public final class ShopMqtt2 {"));
  }

  @Test
  void invalidOptionsFailProtocWithTheExactMessage() throws Exception {
    Protoc.Result result = Protoc.run(work, LAUNCHER,
        Map.of("PROTOC_GEN_GRPC_MQTT_JAR", System.getProperty("plugin.jar")), "",
        TEST_PROTOS.resolveSibling("invalid-protos"), "bad/two_problems.proto");

    assertEquals(1, result.exitCode());
    assertEquals("--grpc-mqtt_out: bad/two_problems.proto: service bad.v1.Broken, method Get, option"
        + " (grpcmqtt.method).topic: invalid topic template \"things/{nmae}\": field path 'nmae':"
        + " message bad.v1.Req has no field 'nmae'\n"
        + "bad/two_problems.proto: service bad.v1.Broken, method Put, option (grpcmqtt.method).qos:"
        + " QoS 2 is not supported: use 0 or 1\n", result.stderr());
  }

  @Test
  void saysWhereTheJarShouldBeWhenItIsMissing() throws Exception {
    Protoc.Result result = Protoc.run(work, LAUNCHER,
        Map.of("PROTOC_GEN_GRPC_MQTT_JAR", work.resolve("missing.jar").toString()), "",
        TEST_PROTOS, "plugintest/v1/shop.proto");

    assertEquals(1, result.exitCode());
    assertTrue(result.stderr().startsWith("protoc-gen-grpc-mqtt: protoc-gen-grpc-mqtt.jar not found"
        + " next to " + LAUNCHER + "; set PROTOC_GEN_GRPC_MQTT_JAR to its path\n"), result.stderr());
  }
}
