package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpcmqtt.testing.Executables;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The standard grpc.health.v1.Health service (grpc-services' HealthStatusManager) over MQTT. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HealthTest {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final String SERVICE = "grpcmqtt.test.v1.TestService";

  private final String prefix = "h" + ProcessHandle.current().pid() + "x" + COUNTER.incrementAndGet();
  private final HealthStatusManager health = new HealthStatusManager();

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void checkAndWatchThroughAnMqttChannel(TestBroker broker) throws Exception {
    health.setStatus(SERVICE, ServingStatus.SERVING);
    Server server = server(broker);
    ManagedChannel channel = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).build();
    try {
      HealthGrpc.HealthBlockingStub blocking =
          HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      assertEquals(ServingStatus.SERVING, blocking.check(request("")).getStatus(), "whole server");
      assertEquals(ServingStatus.SERVING, blocking.check(request(SERVICE)).getStatus());
      StatusRuntimeException unknown =
          assertThrows(StatusRuntimeException.class, () -> blocking.check(request("no.Such")));
      assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());

      BlockingQueue<Object> updates = new LinkedBlockingQueue<>();
      ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
      HealthGrpc.newStub(channel)
          .watch(
              request(SERVICE),
              new ClientResponseObserver<HealthCheckRequest, HealthCheckResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<HealthCheckRequest> stream) {
                  call[0] = stream;
                }

                @Override
                public void onNext(HealthCheckResponse value) {
                  updates.add(value.getStatus());
                }

                @Override
                public void onError(Throwable t) {
                  updates.add(t);
                }

                @Override
                public void onCompleted() {
                  updates.add("completed");
                }
              });
      assertEquals(ServingStatus.SERVING, next(updates));

      health.setStatus(SERVICE, ServingStatus.NOT_SERVING);
      assertEquals(ServingStatus.NOT_SERVING, next(updates));
      assertEquals(ServingStatus.NOT_SERVING, blocking.check(request(SERVICE)).getStatus());

      health.setStatus(SERVICE, ServingStatus.SERVING);
      assertEquals(ServingStatus.SERVING, next(updates));

      // What a server does when it starts shutting down: every watcher hears NOT_SERVING.
      health.enterTerminalState();
      assertEquals(ServingStatus.NOT_SERVING, next(updates));

      call[0].cancel("test done", null);
      Object last = next(updates);
      assertEquals(Status.Code.CANCELLED, Status.fromThrowable((Throwable) last).getCode());
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void plainMqttClientChecksHealthWithJson(TestBroker broker) throws Exception {
    Server server = server(broker);
    try (RawMqttClient monitor = new RawMqttClient(broker.uri())) {
      monitor.request(
          prefix + "/grpc.health.v1.Health/Check",
          "{}".getBytes(StandardCharsets.UTF_8),
          null,
          "application/json");
      MqttMessage reply = monitor.nextReply();
      assertEquals("0", RawMqttClient.property(reply, "grpc-status"));
      assertEquals(
          "{\"status\":\"SERVING\"}",
          new String(reply.getPayload(), StandardCharsets.UTF_8).replaceAll("\\s", ""));
    } finally {
      server.shutdownNow();
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** The monitoring commands of docs/operations.md, with the stock Mosquitto clients. */
  @org.junit.jupiter.api.Test
  void monitoringWithTheMosquittoClients() throws Exception {
    TestBroker broker = io.grpcmqtt.testing.Brokers.mosquitto();
    String host = broker.host();
    String port = Integer.toString(broker.port());
    Server server = server(broker);
    try {
      String check = run(Executables.require("mosquitto_rr", "mosquitto-clients").toString(), "-V", "mqttv5", "-h", host, "-p", port,
          "-t", prefix + "/grpc.health.v1.Health/Check", "-e", "monitor/" + prefix + "/health",
          "-D", "publish", "content-type", "application/json", "-m", "{}", "-W", "10");
      assertEquals("{\"status\":\"SERVING\"}", check.trim());

      String status = run(Executables.require("mosquitto_sub", "mosquitto-clients").toString(), "-V", "mqttv5", "-h", host, "-p", port,
          "-t", prefix + "/_status/server/+", "-v", "-C", "1", "-W", "10");
      assertTrue(status.trim().matches(java.util.regex.Pattern.quote(prefix) + "/_status/server/\\S+ online"),
          status);
    } finally {
      server.shutdownNow();
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(15, TimeUnit.SECONDS), command[0] + " did not finish");
    assertEquals(0, process.exitValue(), command[0] + " failed: " + output);
    return output;
  }

  private Server server(TestBroker broker) throws java.io.IOException {
    return MqttServerBuilder.forBroker(broker.uri())
        .topicPrefix(prefix)
        .addService(health.getHealthService())
        .addService(new TestServiceImpl())
        .build()
        .start();
  }

  private static HealthCheckRequest request(String service) {
    return HealthCheckRequest.newBuilder().setService(service).build();
  }

  private static Object next(BlockingQueue<Object> updates) throws InterruptedException {
    Object update = updates.poll(10, TimeUnit.SECONDS);
    if (update == null) {
      throw new AssertionError("no health update within 10 s");
    }
    return update;
  }
}
