package io.grpcmqtt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.TimestampProto;
import io.grpc.Server;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.cli.test.v1.CounterProto;
import io.grpcmqtt.cli.test.v1.TypesProto;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code grpc-mqtt call} against a Java service hosted on a broker: JSON in and out, exit codes. */
class CallCommandTest {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final List<Server> servers = new ArrayList<>();
  private static String hivemqPrefix;

  @BeforeAll
  static void startServer() throws Exception {
    hivemqPrefix = serve(Brokers.hivemq());
  }

  /** Hosts the Counter service on {@code broker} under a new topic prefix, returned. */
  private static synchronized String serve(TestBroker broker) throws Exception {
    String prefix = "cli" + ProcessHandle.current().pid() + "x" + COUNTER.incrementAndGet();
    servers.add(
        MqttServerBuilder.forBroker(broker.uri())
            .topicPrefix(prefix)
            .addService(new CounterService().definition())
            .build()
            .start());
    return prefix;
  }

  @AfterAll
  static void stopServers() throws InterruptedException {
    for (Server server : servers) {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static Cli call(String stdin, String... args) {
    List<String> all = new ArrayList<>(List.of("call", "--broker", Brokers.hivemq().uri(), "--prefix", hivemqPrefix));
    all.addAll(Arrays.asList(Cli.withCounterProto(args)));
    return Cli.runWithStdin(stdin, all.toArray(new String[0]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void unaryJsonInJsonOut(TestBroker broker) throws Exception {
    String prefix = serve(broker);
    Cli r = Cli.run(Cli.withCounterProto(
        "call", "--broker", broker.uri(), "--prefix", prefix, "-H", "x-tag: t1",
        Cli.COUNTER + "/Add", "-d", "{\"a\": 2, \"b\": 3}"));
    assertEquals(0, r.exit, r.toString());
    assertEquals(
        List.of("{\"total\":\"5\",\"kind\":\"KIND_SUM\",\"at\":\"2023-11-14T22:13:20Z\",\"tag\":\"t1\"}"),
        r.lines(), r.toString());
  }

  @Test
  void serverStreamingPrintsOneLinePerResponse() {
    Cli r = call("", Cli.COUNTER + "/CountTo", "-d", "{\"to\":3}");
    assertEquals(0, r.exit, r.toString());
    assertEquals(List.of("{\"value\":\"1\"}", "{\"value\":\"2\"}", "{\"value\":\"3\"}"), r.lines(), r.toString());
  }

  @Test
  void clientStreamingReadsStdinLines() {
    Cli r = call("{\"value\":1}\n\n{\"value\":2}\n{\"value\":3}\n", Cli.COUNTER + "/Total");
    assertEquals(0, r.exit, r.toString());
    assertEquals(List.of("{\"total\":\"6\",\"kind\":\"KIND_SUM\"}"), r.lines(), r.toString());
  }

  @Test
  void bidiStreamsStdinToStdout() {
    StringBuilder in = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      in.append("{\"value\":").append(i).append("}\n");
      expected.add("{\"value\":\"" + 2 * i + "\"}");
    }
    Cli r = call(in.toString(), Cli.COUNTER + "/Double");
    assertEquals(0, r.exit, r.toString());
    assertEquals(expected, r.lines(), r.toString());
  }

  @Test
  void unaryFromStdinWithAt() {
    Cli r = call("{\"a\":40,\"b\":2}\n", Cli.COUNTER + "/Add", "-d", "@", "--emit-defaults");
    assertEquals(0, r.exit, r.toString());
    assertEquals(
        List.of("{\"total\":\"42\",\"kind\":\"KIND_SUM\",\"at\":\"2023-11-14T22:13:20Z\",\"tag\":\"\"}"),
        r.lines(), r.toString());
  }

  @Test
  void errorStatusIsTheExitCode() {
    Cli r = call("", Cli.COUNTER + "/Add", "-d", "{\"failCode\":5}");
    assertEquals(5, r.exit, r.toString());
    assertEquals("", r.out);
    assertTrue(r.err.contains("NOT_FOUND: asked to fail with 5"), r.toString());
  }

  @Test
  void timeoutIsDeadlineExceeded() {
    Cli r = call("", Cli.COUNTER + "/Add", "-d", "{\"sleepMs\":10000}", "--timeout", "1s");
    assertEquals(4, r.exit, r.toString());
    assertTrue(r.err.contains("DEADLINE_EXCEEDED"), r.toString());
  }

  @Test
  void invalidJsonIsInvalidArgumentAndNothingIsSent() {
    Cli r = call("", Cli.COUNTER + "/Add", "-d", "{\"nope\":1}");
    assertEquals(3, r.exit, r.toString());
    assertTrue(r.err.contains("--data is not a valid grpcmqtt.cli.test.v1.AddRequest in JSON"), r.toString());
    assertTrue(r.err.contains("nope"), r.toString());

    Cli stream = call("{\"value\":1}\nnot json\n", Cli.COUNTER + "/Total");
    assertEquals(3, stream.exit, stream.toString());
    assertTrue(stream.err.contains("stdin line 2 is not a valid grpcmqtt.cli.test.v1.Number"), stream.toString());

    Cli two = call("{}\n{}\n", Cli.COUNTER + "/Add", "-d", "@");
    assertEquals(3, two.exit, two.toString());
    assertTrue(two.err.contains("Add takes exactly one request"), two.toString());
  }

  @Test
  void unknownMethodIsAClearUsageError() {
    Cli r = call("", Cli.COUNTER + "/Nope", "-d", "{}");
    assertEquals(2, r.exit, r.toString());
    assertTrue(
        r.err.contains("unknown method 'grpcmqtt.cli.test.v1.Counter/Nope': service"
            + " grpcmqtt.cli.test.v1.Counter has no method 'Nope'; its methods: Add, CountTo,"
            + " Total, Double"),
        r.toString());

    Cli service = call("", "no.Such/Method");
    assertEquals(2, service.exit, service.toString());
    assertTrue(service.err.contains("no service 'no.Such'; the given descriptors define grpcmqtt.cli.test.v1.Counter"),
        service.toString());

    Cli malformed = call("", "NoDots");
    assertEquals(2, malformed.exit, malformed.toString());
    assertTrue(malformed.err.contains("'NoDots' is not a method name"), malformed.toString());
  }

  @Test
  void noServerIsUnavailable() {
    Cli r = Cli.run(Cli.withCounterProto(
        "call", "--broker", Brokers.hivemq().uri(), "--prefix", "nobody-here", Cli.COUNTER + "/Add"));
    assertEquals(14, r.exit, r.toString());
    assertTrue(r.err.contains("UNAVAILABLE"), r.toString());
  }

  /** A descriptor set needs no protoc: here written from the generated classes' descriptors. */
  @Test
  void descriptorSetInsteadOfProto(@TempDir Path dir) throws Exception {
    Path set = dir.resolve("counter.pb");
    Files.write(set, FileDescriptorSet.newBuilder()
        .addFile(CounterProto.getDescriptor().toProto())
        .addFile(TypesProto.getDescriptor().toProto())
        .addFile(TimestampProto.getDescriptor().toProto())
        .build().toByteArray());
    Cli r = Cli.run("call", "--broker", Brokers.hivemq().uri(), "--prefix", hivemqPrefix,
        "--descriptor-set", set.toString(), Cli.COUNTER + ".Add", "-d", "{\"a\":1,\"b\":1}");
    assertEquals(0, r.exit, r.toString());
    assertTrue(r.out.startsWith("{\"total\":\"2\""), r.toString());
  }

  @Test
  void verboseShowsTheTopic() {
    Cli r = call("", Cli.COUNTER + "/Add", "-v", "-d", "{}");
    assertEquals(0, r.exit, r.toString());
    assertTrue(r.err.contains("topic " + hivemqPrefix + "/grpcmqtt.cli.test.v1.Counter/Add"), r.toString());
  }
}
