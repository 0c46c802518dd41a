package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.testing.TestBroker;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gateways on one broker never silently split one queue: instances of one deployment (one group,
 * one RPC prefix) share one store, or the newcomer refuses to start; separate deployments do not
 * see each other's calls. A stopped or killed instance does not block its successor. On HiveMQ
 * and Mosquitto.
 */
class DeploymentTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void instancesThatWouldSplitTheWorkRefuseToStart(TestBroker broker) throws Exception {
    try (StoreKind.Location shared = StoreKind.POSTGRES.newLocation();
        StoreKind.Location other = StoreKind.H2.newLocation();
        TestGateway a = new TestGateway(broker, shared)) {
      // Same deployment, another store: each would take part of every queue.
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> Gateway.start(GatewayConfig.builder(broker.uri()).deployment(a.prefix).rpcTopicPrefix(a.prefix).build(),
              other.open()));
      assertTrue(e.getMessage().startsWith("another Gateway on this broker (robustmq-gateway-"), e.getMessage());
      assertTrue(e.getMessage().contains("it keeps messages in another store"), e.getMessage());
      assertTrue(e.getMessage().contains("give this one a --deployment name of its own"), e.getMessage());
      // The same calls in another group: every call would run twice.
      e = assertThrows(IllegalStateException.class,
          () -> Gateway.start(GatewayConfig.builder(broker.uri()).deployment("elsewhere").rpcTopicPrefix(a.prefix).build(),
              shared.open()));
      assertTrue(e.getMessage().contains("every call would run twice"), e.getMessage());

      // Another instance of the same deployment, on the same store, is scale-out: welcome.
      try (TestGateway b = new TestGateway(broker, shared, a.prefix, x -> {})) {
        String id = GatewaySemanticsTest.send(b, a.topic("q"), "via b");
        assertEquals(List.of(id), GatewaySemanticsTest.receive(a, a.topic("q"), 10, 5_000, 0).stream()
            .map(io.grpcmqtt.gateway.v1.Message::getMsgId).toList());
      }
      // A separate deployment with its own store serves its own calls only.
      try (TestGateway c = new TestGateway(broker, other)) {
        String topic = a.topic("mine");
        for (int i = 0; i < 20; i++) {
          GatewaySemanticsTest.send(a, topic, "a" + i);
        }
        assertEquals(20, GatewaySemanticsTest.receive(a, topic, 100, 0, 600_000).size(), "no call of a's went to c");
        assertEquals(0, GatewaySemanticsTest.receive(c, topic, 100, 0, 600_000).size());
        assertTrue(c.gateway().shareGroup().equals("robustmq-gateway-" + c.prefix));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void aStoppedOrKilledInstanceDoesNotBlockItsSuccessor(TestBroker broker) throws Exception {
    String deployment = "succ" + ProcessHandle.current().pid() + broker.name();
    try (StoreKind.Location first = StoreKind.H2.newLocation();
        StoreKind.Location second = StoreKind.H2.newLocation();
        StoreKind.Location third = StoreKind.H2.newLocation()) {
      if (broker.name().equals("mosquitto")) {
        // A process of its own, to kill -9 (once: a will is a will on either broker, and a JVM
        // costs seconds of CI).
        try (GatewayProcess killed = GatewayProcess.start(List.of("--broker", broker.uri(), "--deployment", deployment,
            "--data-dir", first.cliArgs.get(1)))) {
          assertTrue(killed.readyLine.contains("calls grpc/" + deployment + "/robustmq.gateway.v1.RobustMQGateway/"),
              killed.readyLine);
          assertTrue(killed.readyLine.contains("group robustmq-gateway-" + deployment), killed.readyLine);
          killed.kill9(); // its will clears its record
        }
      }
      GatewayConfig config = GatewayConfig.builder(broker.uri()).deployment(deployment).build();
      Gateway.start(config, second.open()).close(); // closing clears it too
      Gateway.start(config, third.open()).close();
    }
  }
}
