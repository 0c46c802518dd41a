package io.grpcmqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.testing.SecureMosquitto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Mosquitto ACL of docs/examples/mosquitto/grpc-mqtt.acl, used verbatim: calls work, and a
 * client receives nothing of another client's reply topic.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AclTest {
  static final Path ACL_FILE = Path.of("..", "docs", "examples", "mosquitto", "grpc-mqtt.acl");
  private static final String UNARY = "grpc/grpcmqtt.test.v1.TestService/Unary";
  private static final String ALICE = "alice-laptop";
  private static final String SERVER = "grpc-server-1";

  private static SecureMosquitto broker;
  private static Endpoints alice;
  /** Request text → the caller id the server saw. */
  private static final Map<String, String> callers = new ConcurrentHashMap<>();
  /** Request texts whose reply the server has handed to its connection. */
  private static final Set<String> answered = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() throws IOException {
    broker =
        SecureMosquitto.builder()
            .user("grpc-server", "server-pw")
            .user("alice", "alice-pw")
            .user("mallory", "mallory-pw")
            .aclFile(ACL_FILE)
            .start();
    alice =
        new Endpoints(
            "grpc",
            MqttServerBuilder.forBroker(broker.uri()).clientId(SERVER)
                .credentials("grpc-server", "server-pw").intercept(new CallerRecorder())
                .addService(new HealthStatusManager().getHealthService()),
            MqttChannelBuilder.forBroker(broker.uri()).clientId(ALICE)
                .credentials("alice", "alice-pw"));
  }

  @AfterAll
  static void stop() {
    if (alice != null) {
      alice.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void everyCallKindWorksAndNothingOfTheOwnersIsDenied() throws Exception {
    alice.smokeAllCallKinds();
    assertEquals(ALICE, callers.get("u"));
    assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(alice.channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance())
        .getStatus());
    for (String line : broker.log().lines().toList()) {
      boolean ours = line.contains(" " + ALICE + " ") || line.contains(" " + SERVER + " ");
      assertTrue(!(ours && line.contains("Denied")), line);
    }
  }

  @Test
  void operationsGuideQuotesThisFileVerbatim() throws Exception {
    String guide = Files.readString(Path.of("..", "docs", "operations.md"));
    assertTrue(guide.contains("```\n" + Files.readString(ACL_FILE) + "```\n"),
        "docs/operations.md must quote " + ACL_FILE + " verbatim");
  }

  @Test
  void anotherClientReceivesNothingOfTheReplyTopic() throws Exception {
    try (Snooper mallory = new Snooper("mallory-1")) {
      mallory.subscribe("grpc/_reply/" + ALICE);
      mallory.subscribe("grpc/#");

      assertEquals("private", alice.blocking().unary(text("private")).getText());
      alice.blocking().serverStream(text("stream").toBuilder().setCount(5).build())
          .forEachRemaining(r -> {});

      // Mallory's own call: its reply comes from the same server after Alice's replies, so once
      // it is here, anything of Alice's that Mallory could receive would be here too.
      mallory.request(UNARY, "own", "grpc/_reply/mallory-1");
      List<String> topics = mallory.topicsUntil("grpc/_reply/mallory-1");
      for (String topic : topics) {
        assertTrue(topic.equals("grpc/_reply/mallory-1") || topic.startsWith("grpc/_status/server/"),
            "mallory received a message on " + topic + ": " + topics);
      }
    }
  }

  @Test
  void aSpoofedResponseTopicNamesTheVictimButTheSpooferSeesNoAnswer() throws Exception {
    // Documents the limit of the caller id: the request's sender is not authenticated.
    try (Snooper mallory = new Snooper("mallory-2")) {
      mallory.subscribe("grpc/#");
      mallory.request(UNARY, "spoofed", "grpc/_reply/" + ALICE);
      // Handlers run concurrently: only once the spoofed call's reply is on its way does the
      // marker's reply, published after it on the same connection, prove it was not delivered.
      await().atMost(Duration.ofSeconds(10)).until(() -> answered.contains("spoofed"));
      mallory.request(UNARY, "marker", "grpc/_reply/mallory-2");
      List<String> topics = mallory.topicsUntil("grpc/_reply/mallory-2");
      assertEquals(ALICE, callers.get("spoofed"), "the handler ran with Alice's id");
      assertTrue(topics.stream().noneMatch(t -> t.contains(ALICE)), topics.toString());
    }
  }

  @Test
  void statusTopicsOfOthersAndUnlistedServicesAreDenied() throws Exception {
    try (Snooper mallory = new Snooper("mallory-3")) {
      assertEquals(0x87, mallory.publish("grpc/_status/client/" + ALICE, "offline"));
      assertEquals(0x87, mallory.publish("grpc/_status/server/" + SERVER, "offline"));
      assertEquals(0x87, mallory.publish("grpc/other.v1.Service/Method", "x"));
      // Alice's calls are unaffected: no fake "offline" reached the server or the channel.
      assertEquals("still", alice.blocking().unary(text("still")).getText());
    }
  }

  /**
   * MQTT hands a client id in use to whoever connects with it next. With {@code %c} (the file as
   * shipped) another user who takes over Alice's id receives her replies; with every {@code %c}
   * replaced by {@code %u} (and channels whose client id is their username) they stay Alice's.
   */
  @ParameterizedTest(name = "ACL with {0}")
  @ValueSource(strings = {"%c", "%u"})
  void takingOverAClientId(String variable, @TempDir Path tmp) throws Exception {
    Path acl = tmp.resolve("acl");
    String shipped = Files.readString(ACL_FILE);
    assertTrue(shipped.contains("pattern read grpc/_reply/%c\n"));
    Files.writeString(acl, shipped.replace("%c", variable)); // the %u variant: every %c replaced
    String aliceId = variable.equals("%u") ? "alice" : ALICE;
    String aliceReplies = "grpc/_reply/" + aliceId;
    try (SecureMosquitto own = SecureMosquitto.builder().user("grpc-server", "server-pw")
            .user("alice", "alice-pw").user("mallory", "mallory-pw").aclFile(acl).start();
        Endpoints victim = new Endpoints("grpc",
            MqttServerBuilder.forBroker(own.uri()).credentials("grpc-server", "server-pw")
                .intercept(new CallerRecorder()),
            MqttChannelBuilder.forBroker(own.uri()).clientId(aliceId)
                .credentials("alice", "alice-pw"))) {
      assertEquals("mine", victim.blocking().unary(text("mine")).getText());

      try (Snooper mallory = new Snooper(own.uri(), aliceId)) { // disconnects Alice's channel
        mallory.subscribe("grpc/#");
        String stolen = "stolen" + variable; // texts are recorded across tests: one per variant
        mallory.request(UNARY, stolen, aliceReplies);
        if (variable.equals("%c")) {
          // Fails with "nothing on grpc/_reply/alice-laptop within 10 s" if the reply is kept from her.
          assertTrue(mallory.topicsUntil(aliceReplies).contains(aliceReplies));
        } else {
          await().atMost(Duration.ofSeconds(10)).until(() -> answered.contains(stolen));
          mallory.request(UNARY, "marker", "grpc/_reply/mallory");
          List<String> topics = mallory.topicsUntil("grpc/_reply/mallory");
          assertTrue(!topics.contains(aliceReplies), topics.toString());
        }
      }
    }
  }

  private static Request text(String text) {
    return Request.newBuilder().setText(text).build();
  }

  /** Records the caller id the server saw, and when the reply was sent, by request text. */
  static final class CallerRecorder implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      String caller = String.valueOf(MqttCallAttributes.callerClientId());
      AtomicReference<String> text = new AtomicReference<>();
      ServerCall<ReqT, RespT> recorded = new SimpleForwardingServerCall<>(call) {
        @Override
        public void close(Status status, Metadata trailers) {
          super.close(status, trailers); // the reply is now queued on the server's connection
          if (text.get() != null) {
            answered.add(text.get());
          }
        }
      };
      return new io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
          next.startCall(recorded, headers)) {
        @Override
        public void onMessage(ReqT message) {
          if (message instanceof Request r) {
            text.set(r.getText());
            callers.put(r.getText(), caller);
          }
          super.onMessage(message);
        }
      };
    }
  }

  /** A plain MQTT 5 client of user "mallory", which tries to see what is not its own. */
  static final class Snooper implements AutoCloseable {
    final MqttAsyncClient client;
    final BlockingQueue<String> topics = new LinkedBlockingQueue<>();

    Snooper(String clientId) throws MqttException {
      this(broker.uri(), clientId);
    }

    Snooper(String uri, String clientId) throws MqttException {
      MqttConnectionOptions options = RawPahoClients.options();
      options.setUserName("mallory");
      options.setPassword("mallory-pw".getBytes(StandardCharsets.UTF_8));
      client = RawPahoClients.connect(uri, clientId, false, options, 10_000,
          (self, topic, message) -> topics.add(topic));
    }

    void subscribe(String filter) throws MqttException {
      IMqttToken token = client.subscribe(filter, 1);
      token.waitForCompletion(10_000);
      // Mosquitto grants it: read access is checked per message, on delivery.
      assertTrue(token.getReasonCodes()[0] < 0x80, filter + ": " + token.getReasonCodes()[0]);
    }

    void request(String topic, String text, String responseTopic) throws MqttException {
      MqttProperties properties = new MqttProperties();
      properties.setResponseTopic(responseTopic);
      properties.setCorrelationData(text.getBytes(StandardCharsets.UTF_8));
      MqttMessage m = new MqttMessage(text(text).toByteArray());
      m.setQos(1);
      m.setProperties(properties);
      client.publish(topic, m).waitForCompletion(10_000);
    }

    /** Publishes at QoS 1; returns the PUBACK reason code. */
    int publish(String topic, String payload) throws MqttException {
      try {
        IMqttToken token = client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
        token.waitForCompletion(10_000);
        return token.getReasonCodes()[0];
      } catch (MqttException e) {
        return e.getReasonCode();
      }
    }

    /** Topics received until one on {@code last} arrives (within 10 s). */
    List<String> topicsUntil(String last) throws InterruptedException {
      List<String> seen = new ArrayList<>();
      while (true) {
        String topic = topics.poll(10, TimeUnit.SECONDS);
        if (topic == null) {
          throw new AssertionError("nothing on " + last + " within 10 s; saw " + seen);
        }
        seen.add(topic);
        if (topic.equals(last)) {
          return seen;
        }
      }
    }

    @Override
    public void close() throws MqttException {
      client.disconnect().waitForCompletion(5_000);
      client.close();
    }
  }

}
