package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.NodeProject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An unmodified Node.js client (@grpc/grpc-js, @grpc/proto-loader and the Gateway's gateway.proto)
 * calls the Gateway's plain HTTP/2 listener: Send, Receive, ReceiveStream (and the requeue of its
 * cancel), Ack, and error statuses.
 */
class NodeInteropTest {
  private static final Path DIR = Paths.get(System.getProperty("gateway.node.dir", "target/node"));
  private static final Path SOURCES = Paths.get(System.getProperty("gateway.node.sources", "src/test/node"));
  private static final String PROTO_PATH = System.getProperty("gateway.test.protoPath",
      "../proto/src/main/protobuf" + File.pathSeparator + "../../proto/src/main/protobuf");

  @Test
  void nodeClientCallsEveryMethodOverHttp2() throws Exception {
    Path client = NodeProject.install(SOURCES, DIR, List.of("client.js"));
    try (StoreKind.Location location = StoreKind.H2.newLocation();
        TestGateway gw = new TestGateway(Brokers.hivemq(), location, Transport.HTTP2)) {
      String topic = gw.topic("node");
      List<String> command = new ArrayList<>(List.of("node", "client.js",
          "127.0.0.1:" + gw.gateway().grpcPort(), topic));
      for (String dir : PROTO_PATH.split(File.pathSeparator)) {
        command.add(Paths.get(dir).toAbsolutePath().normalize().toString());
      }
      Path stderr = Files.createTempFile(client, "node", ".err");
      Process node = new ProcessBuilder(command).directory(client.toFile()).redirectError(stderr.toFile()).start();
      String out;
      try {
        out = new String(node.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!node.waitFor(60, TimeUnit.SECONDS)) {
          throw new AssertionError("the Node.js client did not finish within 60 s");
        }
      } finally {
        node.destroyForcibly();
      }
      String context = "node output:\n" + out + "\nnode stderr: " + Files.readString(stderr);
      Files.deleteIfExists(stderr);
      assertEquals(0, node.exitValue(), context);
      Map<String, Struct> results = new HashMap<>();
      for (String line : out.split("\n")) {
        if (!line.isBlank()) {
          Struct.Builder r = Struct.newBuilder();
          JsonFormat.parser().merge(line, r);
          results.put(r.getFieldsOrThrow("case").getStringValue(), r.build());
        }
      }

      String sentId = text(get(results, "send", context), "msgId");
      Struct receive = get(results, "receive", context);
      assertEquals(sentId, text(receive, "msgId"), context);
      assertEquals("from node", text(receive, "payload"), context);
      assertEquals("C", text(receive, "unit"), context);
      assertEquals(1, number(receive, "deliveryCount"), context);

      Struct streamed = get(results, "receiveStream", context);
      assertEquals("streamed", text(streamed, "payload"), context);
      Struct requeued = get(results, "requeued", context);
      assertEquals(List.of(text(streamed, "msgId")), list(requeued, "msgIds"), context);
      assertEquals(List.of("2"), list(requeued, "deliveryCounts"), context);
      get(results, "ack", context);

      Struct badTopic = get(results, "badTopic", context);
      assertEquals(3, number(badTopic, "code"), context); // INVALID_ARGUMENT
      assertTrue(text(badTopic, "details").contains("must not contain the MQTT wildcards"), context);
      Struct ackAgain = get(results, "ackAgain", context);
      assertEquals(5, number(ackAgain, "code"), context); // NOT_FOUND
      assertEquals(0, gw.gateway().openStreams(), context);
    }
  }

  private static Struct get(Map<String, Struct> results, String name, String context) {
    Struct r = results.get(name);
    assertNotNull(r, "no result for case " + name + "; " + context);
    assertTrue(!r.containsFields("unexpected"), "case " + name + " failed: " + r + "; " + context);
    return r;
  }

  private static String text(Struct s, String field) {
    Value v = s.getFieldsOrDefault(field, Value.getDefaultInstance());
    return v.hasStringValue() ? v.getStringValue() : null;
  }

  private static long number(Struct s, String field) {
    return (long) s.getFieldsOrThrow(field).getNumberValue();
  }

  private static List<String> list(Struct s, String field) {
    return s.getFieldsOrThrow(field).getListValue().getValuesList().stream()
        .map(v -> v.hasStringValue() ? v.getStringValue() : Long.toString((long) v.getNumberValue()))
        .toList();
  }
}
