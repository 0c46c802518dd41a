package io.grpcmqtt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code list} and {@code describe}: services, methods, types and their topics. */
class ListAndDescribeTest {
  private static final Path GATEWAY_PROTOS = Cli.PROTOS.resolve("../../../../gateway/proto/src/main/protobuf").normalize();

  @Test
  void listServicesAndMethodsWithTopics() {
    Cli services = Cli.run(Cli.withCounterProto("list"));
    assertEquals(0, services.exit, services.toString());
    assertEquals(List.of(Cli.COUNTER + "\tgrpc/" + Cli.COUNTER + "/+"), services.lines());

    Cli methods = Cli.run(Cli.withCounterProto("list", "--prefix", "devices/rpc", Cli.COUNTER));
    assertEquals(0, methods.exit, methods.toString());
    assertEquals(
        List.of(
            Cli.COUNTER + "/Add\tdevices/rpc/" + Cli.COUNTER + "/Add",
            Cli.COUNTER + "/CountTo\tdevices/rpc/" + Cli.COUNTER + "/CountTo",
            Cli.COUNTER + "/Total\tdevices/rpc/" + Cli.COUNTER + "/Total",
            Cli.COUNTER + "/Double\tdevices/rpc/" + Cli.COUNTER + "/Double"),
        methods.lines());

    Cli unknown = Cli.run(Cli.withCounterProto("list", "no.Such"));
    UsageTest.assertUsageError(unknown, "unknown service 'no.Such'");
  }

  @Test
  void describeAServiceWithKindsAndTopics() {
    Cli r = Cli.run(Cli.withCounterProto("describe", Cli.COUNTER));
    assertEquals(0, r.exit, r.toString());
    assertTrue(r.out.contains("service grpcmqtt.cli.test.v1.Counter {"), r.out);
    assertTrue(r.out.contains("  // client streaming; requests to grpc/grpcmqtt.cli.test.v1.Counter/Total\n"
        + "  rpc Total(stream grpcmqtt.cli.test.v1.Number) returns (grpcmqtt.cli.test.v1.Sum);"), r.out);
    assertTrue(r.out.contains("  // bidi streaming; requests to grpc/grpcmqtt.cli.test.v1.Counter/Double\n"), r.out);
  }

  @Test
  void describeAMethodShowsItsMessages() {
    Cli r = Cli.run(Cli.withCounterProto("describe", Cli.COUNTER + "/Add"));
    assertEquals(0, r.exit, r.toString());
    assertTrue(r.out.contains("message grpcmqtt.cli.test.v1.Sum {\n  int64 total = 1;\n"
        + "  grpcmqtt.cli.test.v1.Kind kind = 2;\n  google.protobuf.Timestamp at = 3;\n  string tag = 4;\n}"), r.out);
  }

  @Test
  void describeTheGatewayApi() {
    Cli r = Cli.run("describe", "-I", GATEWAY_PROTOS.toString(),
        "--proto", GATEWAY_PROTOS.resolve("robustmq/gateway/v1/gateway.proto").toString());
    assertEquals(0, r.exit, r.toString());
    assertTrue(r.out.contains("  // server streaming; requests to grpc/robustmq.gateway.v1.RobustMQGateway/ReceiveStream\n"
        + "  rpc ReceiveStream(robustmq.gateway.v1.ReceiveRequest) returns (stream robustmq.gateway.v1.Message);"), r.out);

    Cli message = Cli.run("describe", "-I", GATEWAY_PROTOS.toString(),
        "--proto", GATEWAY_PROTOS.resolve("robustmq/gateway/v1/gateway.proto").toString(), "robustmq.gateway.v1.SendRequest");
    assertTrue(message.out.contains("  map<string, string> headers = 3;"), message.toString());

    Cli unknown = Cli.run(Cli.withCounterProto("describe", "no.Such"));
    UsageTest.assertUsageError(unknown, "unknown symbol 'no.Such'");
  }

  @Test
  void templateTopicsFromTheOptionsAreListedAndDescribed() {
    String gateway = GATEWAY_PROTOS.resolve("robustmq/gateway/v1/gateway.proto").toString();
    String service = "robustmq.gateway.v1.RobustMQGateway";

    Cli services = Cli.run("list", "-I", GATEWAY_PROTOS.toString(), "--proto", gateway);
    assertEquals(0, services.exit, services.toString());
    assertEquals(List.of(service + "\tgrpc/" + service + "/+\tgateway/send/#"), services.lines());

    Cli methods = Cli.run("list", "-I", GATEWAY_PROTOS.toString(), "--proto", gateway, service);
    assertEquals(0, methods.exit, methods.toString());
    assertEquals(service + "/Send\tgrpc/" + service + "/Send\tgateway/send/{topic=**}",
        methods.lines().get(0));
    assertEquals(service + "/Ack\tgrpc/" + service + "/Ack", methods.lines().get(3));

    Cli described = Cli.run("describe", "-I", GATEWAY_PROTOS.toString(), "--proto", gateway, service);
    assertEquals(0, described.exit, described.toString());
    assertTrue(described.out.contains("servers subscribe to grpc/" + service + "/+, gateway/send/#\n"),
        described.out);
    assertTrue(described.out.contains("  // unary; requests to grpc/" + service + "/Send or"
        + " gateway/send/{topic=**} (raw payload into payload)\n"), described.out);
    // MQTT 3.1.1 devices: the same request topics behind the binding's levels, unary methods only.
    assertTrue(described.out.contains("// MQTT 3.1.1 devices call unary methods at"
        + " grpc/_311/req/{replyRef}/{requestId}/{options}/<request topic>, replies on"
        + " grpc/_311/res/{replyRef}/{requestId}/{status}\n"), described.out);
    assertTrue(described.out.contains("  // MQTT 3.1.1: grpc/_311/req/{replyRef}/{requestId}/{options}/grpc/"
        + service + "/Send or grpc/_311/req/{replyRef}/{requestId}/{options}/gateway/send/{topic=**}\n"),
        described.out);
    assertTrue(described.out.contains("  // server streaming; requests to grpc/" + service + "/ReceiveStream\n"
        + "  rpc ReceiveStream("), described.out);
  }

  @Test
  void invalidOptionsAreAnErrorNamingTheOption(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("bad.proto"), String.join("\n",
        "syntax = \"proto3\";",
        "package bad.v1;",
        "import \"grpcmqtt/options.proto\";",
        "message Req { string room = 1; }",
        "service Bad {",
        "  rpc Get(Req) returns (Req) { option (grpcmqtt.method) = { topic: \"home/{nope}/get\" }; }",
        "}",
        ""));
    // No import path for grpcmqtt/options.proto: the CLI brings its own.
    Cli r = Cli.run("list", "--proto", dir.resolve("bad.proto").toString());
    assertEquals(2, r.exit, r.toString());
    assertTrue(r.err.contains("invalid topic mapping"), r.toString());
    assertTrue(r.err.contains("bad.v1.Bad") && r.err.contains("nope"), r.toString());
  }
}
