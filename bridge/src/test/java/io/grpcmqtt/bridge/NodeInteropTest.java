package io.grpcmqtt.bridge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.grpcmqtt.bridge.test.v1.EchoProto;
import io.grpcmqtt.testing.TestBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An unmodified Node.js client (@grpc/grpc-js, @grpc/proto-loader) calls a Java service through
 * the ingress proxy: every call kind, an error status, a deadline and a cancellation.
 */
class NodeInteropTest {
  private static final MethodTypes DESCRIBED = MethodTypes.of(List.of(EchoProto.getDescriptor()));
  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor();

  @AfterAll
  static void stopWatchdog() {
    WATCHDOG.shutdownNow();
  }

  /** Node → ingress → broker → the service hosted by a grpc-mqtt server. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void nodeClientThroughIngressToGrpcMqttServer(TestBroker broker) throws Exception {
    Path client = NodeClient.install();
    try (Topology t = Topology.ingressToNative(broker, DESCRIBED)) {
      checkEveryCase(t, client);
    }
  }

  /** Node → ingress → broker → egress → a plain grpc-netty server; no descriptors anywhere. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void nodeClientThroughBothProxiesToPlainServer(TestBroker broker) throws Exception {
    Path client = NodeClient.install();
    try (Topology t = Topology.doubleProxy(broker, MethodTypes.allBidi())) {
      checkEveryCase(t, client);
    }
  }

  private static void checkEveryCase(Topology t, Path clientDir) throws Exception {
    Path stderr = Files.createTempFile(clientDir, "node", ".err");
    Process node =
        new ProcessBuilder(
                "node", "client.js", "127.0.0.1:" + t.ingressPort, NodeClient.PROTOS.toString())
            .directory(clientDir.toFile())
            .redirectError(stderr.toFile())
            .start();
    // Bounds the whole run: a hung client is killed, which ends the reads below.
    WATCHDOG.schedule(node::destroyForcibly, 90, TimeUnit.SECONDS);
    Map<String, Struct> results = new HashMap<>();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out =
            new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8)) {
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
        Struct.Builder result = Struct.newBuilder();
        JsonFormat.parser().merge(line, result);
        Struct r = result.build();
        if ("started".equals(text(r, "state"))) {
          // The Java service holds the hanging call: now Node may cancel it.
          await().atMost(Duration.ofSeconds(15))
              .until(() -> t.service.hanging.contains("Bidi:hang-node"));
          in.write("go\n");
          in.flush();
          continue;
        }
        results.put(text(r, "case"), r);
      }
    }
    node.waitFor(30, TimeUnit.SECONDS);
    String context = "node output: " + lines + "\nnode stderr: " + Files.readString(stderr);
    assertEquals(0, node.exitValue(), context);

    Struct unary = get(results, "unary", context);
    assertEquals("hi|x-client-header=from-node", text(unary, "text"), context);
    assertEquals("Unary", text(unary, "servedBy"), context);
    assertEquals("closed-OK", text(unary, "trailer"), context);

    Struct serverStream = get(results, "serverStream", context);
    assertEquals(0, number(serverStream, "code"), context);
    assertEquals(
        IntStream.range(0, 100).boxed().collect(Collectors.toList()),
        numbers(serverStream.getFieldsOrThrow("indexes").getListValue()),
        context);

    Struct clientStream = get(results, "clientStream", context);
    assertEquals("c0,c1,c2,c3,c4,c5,c6,c7,c8,c9", text(clientStream, "text"), context);
    assertEquals(10, number(clientStream, "index"), context);

    Struct bidi = get(results, "bidi", context);
    assertEquals(0, number(bidi, "code"), context);
    assertEquals(
        IntStream.range(0, 10).mapToObj(i -> "b" + i).collect(Collectors.toList()),
        bidi.getFieldsOrThrow("texts").getListValue().getValuesList().stream()
            .map(Value::getStringValue).collect(Collectors.toList()),
        context);

    Struct error = get(results, "error", context);
    assertEquals(5, number(error, "code"), context);
    assertEquals("no such thing", text(error, "details"), context);
    assertEquals("detail-of-no such thing", text(error, "errorDetail"), context);

    Struct deadline = get(results, "deadline", context);
    assertEquals(4, number(deadline, "code"), context);
    assertTrue(number(deadline, "elapsedMs") < 8_000, context);
    Struct cancel = get(results, "cancel", context);
    assertEquals(1, number(cancel, "code"), context);
    // The deadline reached the Java service, which gave up when it passed, and so did the
    // cancellation. In either order: the server's own deadline may fire after the client's, once
    // the next call is under way.
    Set<String> cancelled = new HashSet<>();
    for (int i = 0; i < 2; i++) {
      cancelled.add(t.service.cancelled.poll(15, TimeUnit.SECONDS));
    }
    assertEquals(Set.of("Unary:slow", "Bidi:hang-node"), cancelled, context);
    Files.deleteIfExists(stderr);
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

  private static List<Integer> numbers(ListValue list) {
    return list.getValuesList().stream()
        .map(v -> (int) v.getNumberValue())
        .collect(Collectors.toList());
  }
}
