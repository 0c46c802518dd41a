package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerStreamTracer;
import io.grpcmqtt.internal.NoDelaySocketFactory;
import io.grpcmqtt.testing.Mqtt311Device;
import io.grpcmqtt.testing.SecureMosquitto;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The MQTT 3.1.1 lines of the Mosquitto ACL of docs/examples/mosquitto/grpc-mqtt.acl, used
 * verbatim: a 3.1.1 device calls with its own client id as reply reference and receives its
 * replies; another user's device receives none of them and cannot call in its name.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Mqtt311AclTest {
  private static final String UNARY = "grpc/grpcmqtt.test.v1.TestService/Unary";
  private static final String ALICE = "alice-sensor";

  private static SecureMosquitto broker;
  private static Server server;
  /** Calls the server started, counted on the thread that receives requests, in their order. */
  private static final AtomicInteger started = new AtomicInteger();

  @BeforeAll
  static void start() throws IOException {
    broker = SecureMosquitto.builder()
        .user("grpc-server", "server-pw")
        .user("alice", "alice-pw")
        .user("mallory", "mallory-pw")
        .aclFile(AclTest.ACL_FILE)
        .start();
    server = MqttServerBuilder.forBroker(broker.uri())
        .clientId("grpc-server-311")
        .credentials("grpc-server", "server-pw")
        .addStreamTracerFactory(new ServerStreamTracer.Factory() {
          @Override
          public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
            started.incrementAndGet();
            return new ServerStreamTracer() {};
          }
        })
        .addService(new TestServiceImpl())
        .build()
        .start();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (broker != null) {
      broker.close();
    }
  }

  private static Mqtt311Device device(String clientId, String user) throws Exception {
    return Mqtt311Device.connect(broker.uri(), clientId, NoDelaySocketFactory.plain(), user, user + "-pw");
  }

  private static String request(String replyRef, String id) {
    return "grpc/_311/req/" + replyRef + "/" + id + "/json/" + UNARY;
  }

  @Test
  void theOwnerCallsAndReceivesItsReply() throws Exception {
    try (Mqtt311Device alice = device(ALICE, "alice")) {
      alice.subscribe("grpc/_311/res/" + ALICE + "/#");
      alice.publish(request(ALICE, "1"), "{\"text\":\"mine\"}");
      Mqtt311Device.Received reply = alice.next();
      assertEquals("grpc/_311/res/" + ALICE + "/1/0", reply.topic());
      assertEquals("{\"text\":\"mine\"}", reply.text());
    }
  }

  @Test
  void anotherUsersDeviceReceivesNoneOfItAndCannotCallInItsName() throws Exception {
    try (Mqtt311Device alice = device(ALICE, "alice");
        Mqtt311Device mallory = device("mallory-sensor", "mallory")) {
      alice.subscribe("grpc/_311/res/" + ALICE + "/#");
      mallory.subscribe("grpc/_311/res/" + ALICE + "/#");
      mallory.subscribe("grpc/#");

      alice.publish(request(ALICE, "2"), "{\"text\":\"private\"}");
      assertEquals("grpc/_311/res/" + ALICE + "/2/0", alice.next().topic());

      // A request naming Alice's reference is dropped by the broker; Mallory's own call, published
      // after it on the same connection, reaches the server after it would have.
      int before = started.get();
      mallory.publish(request(ALICE, "3"), "{\"text\":\"spoofed\"}");
      mallory.publish(request("mallory-sensor", "4"), "{\"text\":\"own\"}");
      List<String> topics = new ArrayList<>();
      while (!topics.contains("grpc/_311/res/mallory-sensor/4/0")) {
        topics.add(mallory.next().topic());
      }
      for (String topic : topics) {
        assertTrue(topic.equals("grpc/_311/res/mallory-sensor/4/0") || topic.startsWith("grpc/_status/server/"),
            "mallory received a message on " + topic + ": " + topics);
      }
      assertEquals(before + 1, started.get(), "only Mallory's own call reached the server");
    }
  }
}
