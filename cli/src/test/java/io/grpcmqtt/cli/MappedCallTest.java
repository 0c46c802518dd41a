package io.grpcmqtt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code call} of methods mapped by grpcmqtt/options.proto: on the template's topic ({@code
 * --template}, {@code --topic}), what {@code -v} tells, and errors as JSON ({@code --format json}).
 */
class MappedCallTest {
  private static final String LAMPS = "grpcmqtt.cli.test.v1.Lamps";
  private static final String LAMPS_PROTO = Cli.PROTOS.resolve("grpcmqtt/cli/test/v1/lamps.proto").toString();
  private static final AtomicInteger SERVERS = new AtomicInteger();
  private static final List<Server> servers = new ArrayList<>();

  /** Hosts Lamps on {@code broker} under a prefix of its own, returned. */
  private static synchronized String serve(TestBroker broker) throws Exception {
    String prefix = "lamps" + ProcessHandle.current().pid() + "x" + SERVERS.incrementAndGet();
    servers.add(MqttServerBuilder.forBroker(broker.uri()).topicPrefix(prefix)
        .addService(new LampsService()).build().start());
    return prefix;
  }

  @AfterAll
  static void stopServers() throws InterruptedException {
    for (Server server : servers) {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static Cli call(TestBroker broker, String prefix, String... args) {
    List<String> all = new ArrayList<>(List.of("call", "--broker", broker.uri(), "--prefix", prefix,
        "--proto", LAMPS_PROTO, "-I", Cli.PROTOS.toString()));
    all.addAll(Arrays.asList(args));
    return Cli.run(all.toArray(new String[0]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void templateAndTopicPublishToTheTemplatesTopic(TestBroker broker) throws Exception {
    String prefix = serve(broker);
    try (TopicWatcher watcher = new TopicWatcher(broker, "lamps/#")) {
      Cli fromRequest = call(broker, prefix, "--template", LAMPS + "/Switch",
          "-d", "{\"room\":\"hall\",\"lamp\":{\"id\":3},\"on\":true}");
      assertEquals(0, fromRequest.exit, fromRequest.toString());
      assertEquals(List.of("{\"room\":\"hall\",\"id\":3,\"state\":\"STATE_ON\",\"fixture\":{\"model\":\"test\"}}"),
          fromRequest.lines());
      assertEquals("lamps/hall/3/switch", watcher.next());

      // The topic's levels set room and lamp.id, over what --data says.
      Cli fromTopic = call(broker, prefix, "--topic", "lamps/kitchen/7/switch", LAMPS + "/Switch",
          "-d", "{\"room\":\"ignored\",\"on\":false}");
      assertEquals(0, fromTopic.exit, fromTopic.toString());
      assertEquals(List.of("{\"room\":\"kitchen\",\"id\":7,\"state\":\"STATE_OFF\",\"fixture\":{\"model\":\"test\"}}"),
          fromTopic.lines());
      assertEquals("lamps/kitchen/7/switch", watcher.next());
    }
  }

  @Test
  void templateErrorsAreCaughtBeforeAnythingIsSent() throws Exception {
    TestBroker broker = Brokers.hivemq();
    String prefix = serve(broker);

    Cli noTemplate = call(broker, prefix, "--template", LAMPS + "/Get");
    UsageTest.assertUsageError(noTemplate, LAMPS + "/Get has no topic template ((grpcmqtt.method).topic):"
        + " it is called on its default topic " + prefix + "/" + LAMPS + "/Get");

    Cli notItsTopic = call(broker, prefix, "--topic", "lamps/hall/switch", LAMPS + "/Switch");
    UsageTest.assertUsageError(notItsTopic,
        "--topic 'lamps/hall/switch' is not a topic of " + LAMPS + "/Switch's template 'lamps/{room}/{lamp.id}/switch'");

    Cli badLevel = call(broker, prefix, "--topic", "lamps/hall/seven/switch", LAMPS + "/Switch");
    UsageTest.assertUsageError(badLevel, "value \"seven\" of field 'lamp.id' does not parse as uint32");

    Cli emptyField = call(broker, prefix, "--template", LAMPS + "/Switch", "-d", "{\"lamp\":{\"id\":1}}");
    assertEquals(3, emptyField.exit, emptyField.toString());
    assertTrue(emptyField.err.contains("INVALID_ARGUMENT: cannot expand topic template \"lamps/{room}/{lamp.id}/switch\":"
        + " field 'room' is empty and is bound to the topic; set the field in the request, or give the topic with --topic"),
        emptyField.toString());
  }

  @Test
  void withoutTemplateTheDefaultTopicIsUsedAndTheTimeoutOptionApplies() throws Exception {
    TestBroker broker = Brokers.hivemq();
    String prefix = serve(broker);
    Cli r = call(broker, prefix, "-v", LAMPS + "/Switch", "-d", "{}");
    assertEquals(0, r.exit, r.toString());
    assertTrue(r.err.contains("> topic " + prefix + "/" + LAMPS + "/Switch (default topic)\n"), r.toString());
    assertTrue(r.err.contains("> deadline 3s ((grpcmqtt.method).timeout), sent as grpc-timeout and Message Expiry\n"),
        r.toString());
  }

  @Test
  void verboseTellsAboutTheCallNotTheLoggers() throws Exception {
    TestBroker broker = Brokers.hivemq();
    String prefix = serve(broker);
    Cli r = call(broker, prefix, "-v", "--client-id", "cli-verbose-test", "-H", "x-user: me",
        "--timeout", "4s", "--topic", "lamps/den/2/switch", LAMPS + "/Switch", "-d", "{\"on\":true}");
    assertEquals(0, r.exit, r.toString());
    List<String> lines = Arrays.asList(r.err.split("\n"));
    assertEquals("* " + LAMPS + "/Switch (unary) on " + broker.uri() + " as client cli-verbose-test", lines.get(0), r.err);
    assertEquals(List.of(
        "> Response Topic " + prefix + "/_reply/cli-verbose-test, Correlation Data: the call's id",
        "> topic lamps/den/2/switch (template lamps/{room}/{lamp.id}/switch, from --topic)",
        "> QoS 1 (mapping option)",
        "> deadline 4s (--timeout), sent as grpc-timeout and Message Expiry",
        "> Content Type none (protobuf binary)",
        "> user property x-user: me"), lines.subList(1, 7), r.err);
    assertTrue(lines.get(lines.size() - 1).matches("\\* OK after \\d+ ms, 1 response \\(first after \\d+ ms\\)"), r.err);
    // No logger lines (connects, subscriptions): every line is the call's.
    for (String line : lines) {
      assertTrue(line.startsWith("* ") || line.startsWith("> ") || line.startsWith("< "), r.err);
    }
  }

  @Test
  void formatJsonReportsErrorsAsOneJsonLine() throws Exception {
    TestBroker broker = Brokers.hivemq();
    Cli unavailable = call(broker, "nobody-here", "--format", "json", LAMPS + "/Get", "--timeout", "5s");
    assertEquals(14, unavailable.exit, unavailable.toString());
    assertEquals("", unavailable.out);
    String line = unavailable.err.trim();
    assertFalse(line.contains("\n"), unavailable.toString());
    assertTrue(line.startsWith("{\"kind\":\"status\",\"code\":14,\"status\":\"UNAVAILABLE\",\"message\":\""),
        unavailable.toString());

    Cli usage = call(broker, "p", "--format", "json", LAMPS + "/Nope");
    assertEquals(2, usage.exit, usage.toString());
    assertEquals("{\"kind\":\"usage\",\"message\":\"unknown method '" + LAMPS + "/Nope': service " + LAMPS
        + " has no method 'Nope'; its methods: Switch, Get\"}", usage.err.trim());

    Cli badOption = Cli.run("call", "--format", "json", "--timeout", "soon", LAMPS + "/Get");
    assertEquals(2, badOption.exit, badOption.toString());
    assertTrue(badOption.err.startsWith("{\"kind\":\"usage\",\"message\":\"Invalid value for option '--timeout'"),
        badOption.toString());

    Cli invalid = call(broker, "p", "--format", "json", LAMPS + "/Get", "-d", "{\"nope\":1}");
    assertEquals(3, invalid.exit, invalid.toString());
    assertTrue(invalid.err.startsWith("{\"kind\":\"status\",\"code\":3,\"status\":\"INVALID_ARGUMENT\",\"message\":\"--data is not a valid"),
        invalid.toString());
  }

  @Test
  void describeShowsNestedTypesAndMappingOptions() {
    Cli service = Cli.run("describe", "--proto", LAMPS_PROTO, "-I", Cli.PROTOS.toString(), LAMPS);
    assertEquals(0, service.exit, service.toString());
    assertTrue(service.out.contains("// grpcmqtt/cli/test/v1/lamps.proto; servers subscribe to grpc/" + LAMPS + "/+,"
        + " lamps/+/+/switch in shared subscription group lamp-workers\n"), service.out);
    assertTrue(service.out.contains("  // unary; requests to grpc/" + LAMPS + "/Switch or lamps/{room}/{lamp.id}/switch\n"
        + "  // QoS 1, timeout 3s, idempotent\n"
        + "  // MQTT 3.1.1: grpc/_311/req/{replyRef}/{requestId}/{options}/grpc/" + LAMPS + "/Switch or"
        + " grpc/_311/req/{replyRef}/{requestId}/{options}/lamps/{room}/{lamp.id}/switch\n"
        + "  rpc Switch(grpcmqtt.cli.test.v1.SwitchRequest) returns (grpcmqtt.cli.test.v1.Lamp);\n"), service.out);
    assertTrue(service.out.contains("  // unary; requests to grpc/" + LAMPS + "/Get\n"
        + "  // MQTT 3.1.1: grpc/_311/req/{replyRef}/{requestId}/{options}/grpc/" + LAMPS + "/Get\n"
        + "  rpc Get("), service.out);

    Cli method = Cli.run("describe", "--proto", LAMPS_PROTO, "-I", Cli.PROTOS.toString(), LAMPS + "/Switch");
    assertEquals(0, method.exit, method.toString());
    assertTrue(method.out.endsWith(String.join("\n",
        "message grpcmqtt.cli.test.v1.SwitchRequest {",
        "  string room = 1;",
        "  grpcmqtt.cli.test.v1.SwitchRequest.LampRef lamp = 2;",
        "  bool on = 3;",
        "  message LampRef {",
        "    uint32 id = 1;",
        "  }",
        "}",
        "message grpcmqtt.cli.test.v1.Lamp {",
        "  string room = 1;",
        "  uint32 id = 2;",
        "  grpcmqtt.cli.test.v1.Lamp.State state = 3;",
        "  grpcmqtt.cli.test.v1.Fixture fixture = 4;",
        "  enum State {",
        "    STATE_UNSPECIFIED = 0;",
        "    STATE_ON = 1;",
        "    STATE_OFF = 2;",
        "  }",
        "}",
        "message grpcmqtt.cli.test.v1.Fixture {",
        "  string model = 1;",
        "}",
        "")), method.out);
  }

  /** A plain MQTT subscriber that reports the topics it receives messages on. */
  private static final class TopicWatcher implements AutoCloseable {
    private final MqttClient client;
    private final BlockingQueue<String> topics = new LinkedBlockingQueue<>();

    TopicWatcher(TestBroker broker, String filter) throws Exception {
      client = new MqttClient(broker.uri(), "watch" + ProcessHandle.current().pid() + "x"
          + SERVERS.incrementAndGet(), new MemoryPersistence());
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      client.connect(options);
      // Paho's subscribe(String, int, IMqttMessageListener) recurses into itself: use the array form.
      client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, 1)},
          new IMqttMessageListener[] {(topic, message) -> topics.add(topic)});
    }

    String next() throws InterruptedException {
      String topic = topics.poll(10, TimeUnit.SECONDS);
      if (topic == null) {
        throw new AssertionError("no message on the watched topics within 10 s");
      }
      return topic;
    }

    @Override
    public void close() throws Exception {
      client.disconnect();
      client.close();
    }
  }
}
