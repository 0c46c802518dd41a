package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.test.v1.BadMappingGrpc;
import io.grpcmqtt.test.v1.MappedServiceGrpc;
import io.grpcmqtt.test.v1.Thing;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Methods mapped to topic templates by grpcmqtt options (mapped_service.proto): clients publish
 * to the expanded template, servers subscribe to the template's filter and fill the request from
 * topic and payload, and a plain MQTT device can call them with raw bytes.
 */
class MappedTopicsTest {
  private static int correlations;

  /** A fresh Correlation Data: a repeated one would be answered from the reply cache. */
  private static byte[] correlation() {
    return new byte[] {9, 8, (byte) ++correlations};
  }

  /** A server hosting MappedService and a channel, under a prefix of their own. */
  private static final class Mapped implements AutoCloseable {
    private static int counter;
    final MappedServiceImpl service = new MappedServiceImpl();
    final String prefix = "m" + ProcessHandle.current().pid() + "x" + (++counter);
    final Server server;
    final ManagedChannel channel;

    Mapped(TestBroker broker) throws java.io.IOException {
      server = MqttServerBuilder.forBroker(broker.uri()).topicPrefix(prefix).addService(service)
          .build().start();
      channel = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).templateTopics(true).build();
    }

    MappedServiceGrpc.MappedServiceBlockingStub blocking() {
      return MappedServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    MappedServiceGrpc.MappedServiceStub async() {
      return MappedServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static Thing reply(RawMqttClient device) throws Exception {
    MqttMessage reply = device.nextReply();
    assertEquals("0", RawMqttClient.property(reply, "grpc-status"),
        RawMqttClient.property(reply, "grpc-message"));
    return Thing.parseFrom(reply.getPayload());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void aDevicePublishingRawBytesToATemplatedTopicCallsTheMethodWithTheFieldsFilled(
      TestBroker broker) throws Exception {
    try (Mapped rpc = new Mapped(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      device.request("things/s1/7/put/floor/2", utf8("21.5"), correlation(), null);
      Thing answered = reply(device);
      device.publish("things/s2/8/put/x", new byte[] {0, 1, (byte) 0xff});
      Thing oneWay = rpc.service.received.poll(10, TimeUnit.SECONDS);
      oneWay = oneWay.getSite().equals("s1") ? rpc.service.received.poll(10, TimeUnit.SECONDS) : oneWay;

      assertEquals("s1|7|floor/2||21.5", answered.getSeen());
      assertEquals(Thing.newBuilder().setSite("s2").setId(8).setPath("x")
          .setData(ByteString.copyFrom(new byte[] {0, 1, (byte) 0xff})).build(), oneWay);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void stubsPublishToTheExpandedTemplateAndTheServerFillsTheFields(TestBroker broker)
      throws Exception {
    try (Mapped rpc = new Mapped(broker);
        RawMqttClient spy = new RawMqttClient(broker.uri())) {
      spy.client.subscribe(new String[] {"things/#", "notes/#", "watch/#", "uploads", "chats"},
          new int[] {1, 1, 1, 1, 1}).waitForCompletion(5_000);

      Thing got = rpc.blocking().get(Thing.newBuilder().setSite("s1").setId(7).build());
      Thing put = rpc.blocking().put(Thing.newBuilder().setSite("s1").setId(7).setPath("a/b")
          .setData(ByteString.copyFromUtf8("d")).setText("t").build());
      List<String> watched = new ArrayList<>();
      rpc.blocking().watch(Thing.newBuilder().setSite("w").build())
          .forEachRemaining(t -> watched.add(t.getSeen()));

      assertEquals("s1|7||||", got.getSeen() + "|");
      assertEquals("s1|7|a/b|t|d", put.getSeen(),
          "a stub's body-field request is the whole message, text included");
      assertEquals(List.of("w#1", "w#2", "w#3"), watched);
      assertEquals("things/s1/7", spy.topics.poll(10, TimeUnit.SECONDS));
      assertEquals("things/s1/7/put/a/b", spy.topics.poll(10, TimeUnit.SECONDS));
      assertEquals("watch/w", spy.topics.poll(10, TimeUnit.SECONDS));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void streamingRequestsOpenOnTheirFixedTopic(TestBroker broker) throws Exception {
    try (Mapped rpc = new Mapped(broker);
        RawMqttClient spy = new RawMqttClient(broker.uri())) {
      spy.client.subscribe(new String[] {"uploads", "chats"}, new int[] {1, 1})
          .waitForCompletion(5_000);

      assertEquals(List.of("a,b"), call(rpc.async()::upload, "a", "b"));
      assertEquals(List.of("re:x", "re:y"), call(rpc.async()::chat, "x", "y"));

      assertEquals("uploads", spy.topics.poll(10, TimeUnit.SECONDS));
      assertEquals("chats", spy.topics.poll(10, TimeUnit.SECONDS));
    }
  }

  private static List<String> call(
      java.util.function.Function<StreamObserver<Thing>, StreamObserver<Thing>> method,
      String... texts) throws Exception {
    List<String> seen = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<Thing> requests = method.apply(new StreamObserver<>() {
      @Override
      public void onNext(Thing value) {
        synchronized (seen) {
          seen.add(value.getSeen());
        }
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    });
    for (String text : texts) {
      requests.onNext(Thing.newBuilder().setText(text).build());
    }
    requests.onCompleted();
    done.get(10, TimeUnit.SECONDS);
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void contentTypeSaysWhetherABodyTopicCarriesTheFieldOrTheWholeMessage(TestBroker broker)
      throws Exception {
    try (Mapped rpc = new Mapped(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      device.request("notes/s1", utf8("plain words"), correlation(), null);
      Thing raw = reply(device);
      device.request("notes/s1", utf8("<b>html</b>"), correlation(), "text/html");
      Thing html = reply(device);
      device.request("notes/s1", Thing.newBuilder().setText("whole").setSite("ignored").build()
          .toByteArray(), correlation(), "application/protobuf");
      Thing whole = reply(device);
      device.request("things/s9/3", utf8("{\"site\":\"topic-wins\",\"text\":\"json\"}"),
          correlation(), "application/json");
      MqttMessage json = device.nextReply();

      assertEquals("s1|0||plain words|", raw.getSeen());
      assertEquals("s1|0||<b>html</b>|", html.getSeen());
      assertEquals("s1|0||whole|", whole.getSeen());
      assertEquals("0", RawMqttClient.property(json, "grpc-status"));
      assertEquals("{\"seen\":\"s9|3||json|\"}", new String(json.getPayload(), StandardCharsets.UTF_8));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void topicValuesAndBodiesThatDoNotFitAreInvalidArgument(TestBroker broker) throws Exception {
    try (Mapped rpc = new Mapped(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      device.request("things/s1/seven", new byte[0], correlation(), null);
      MqttMessage badId = device.nextReply();
      device.request("notes/s1", new byte[] {(byte) 0xc3, 0x28}, correlation(), null);
      MqttMessage badText = device.nextReply();

      assertEquals("3", RawMqttClient.property(badId, "grpc-status"));
      assertEquals("cannot bind topic \"things/s1/seven\" to template \"things/{site}/{id}\": value"
          + " \"seven\" of field 'id' does not parse as uint32 (canonical decimal expected)",
          RawMqttClient.property(badId, "grpc-message"));
      assertEquals("3", RawMqttClient.property(badText, "grpc-status"));
      assertEquals("payload is not valid UTF-8, but it fills string field 'text' of"
          + " grpcmqtt.test.v1.Thing", RawMqttClient.property(badText, "grpc-message"));
      assertEquals("s1|1||ok|", rpc.blocking().get(Thing.newBuilder().setSite("s1").setId(1)
          .setText("ok").build()).getSeen(), "the server keeps serving");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void templatedMethodsStayReachableOnTheirDefaultTopic(TestBroker broker) throws Exception {
    try (Mapped rpc = new Mapped(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      device.request(rpc.prefix + "/grpcmqtt.test.v1.MappedService/Put",
          Thing.newBuilder().setSite("d").setId(1).setText("t").build().toByteArray(),
          correlation(), null);

      assertEquals("d|1||t|", reply(device).getSeen(),
          "on the default topic the payload is the whole message, even for a body method");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void aRequestThatCannotFormItsTopicGoesToTheDefaultTopic(TestBroker broker) throws Exception {
    try (Mapped rpc = new Mapped(broker);
        RawMqttClient spy = new RawMqttClient(broker.uri())) {
      String defaultTopic = rpc.prefix + "/grpcmqtt.test.v1.MappedService/Get";
      spy.client.subscribe(new String[] {"things/#", defaultTopic}, new int[] {1, 1})
          .waitForCompletion(5_000);

      Thing noSite = rpc.blocking().get(Thing.newBuilder().setId(1).build());
      Thing slash = rpc.blocking().get(Thing.newBuilder().setSite("a/b").setId(2).build());

      assertEquals("|1||||", noSite.getSeen() + "|");
      assertEquals("a/b|2||||", slash.getSeen() + "|");
      assertEquals(defaultTopic, spy.topics.poll(10, TimeUnit.SECONDS));
      assertEquals(defaultTopic, spy.topics.poll(10, TimeUnit.SECONDS));
      assertEquals(List.of(), List.copyOf(spy.topics), "nothing was published to things/...");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void theTimeoutOptionIsTheDeadlineOfCallsThatSetNone(TestBroker broker) throws Exception {
    try (Mapped rpc = new Mapped(broker)) {
      MappedServiceGrpc.MappedServiceBlockingStub noDeadline =
          MappedServiceGrpc.newBlockingStub(rpc.channel);
      rpc.blocking().plain(Thing.getDefaultInstance()); // connects, so the deadline measures the call
      assertEquals("|0||fast|", noDeadline.quick(Thing.newBuilder().setText("fast").build())
          .getSeen());

      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> noDeadline.quick(Thing.newBuilder().setDelayMs(5_000).build()));

      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    }
  }

  @Test
  void aChannelFailsCallsOfAServiceWithInvalidOptions() throws Exception {
    ManagedChannel channel = MqttChannelBuilder.forBroker(io.grpcmqtt.testing.Brokers.hivemq().uri()).templateTopics(true)
        .build();
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> BadMappingGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
              .first(Thing.newBuilder().setSite("s").build()));

      assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
      assertEquals("invalid grpcmqtt options: grpcmqtt/test/v1/bad_mapping.proto: service"
          + " grpcmqtt.test.v1.BadMapping, method Second, option (grpcmqtt.method).topic: topic"
          + " template \"bad/{text}\" overlaps the topic template \"bad/{site}\" of method"
          + " grpcmqtt.test.v1.BadMapping/First (grpcmqtt/test/v1/bad_mapping.proto): both match"
          + " topic \"bad/x\"", e.getStatus().getDescription());
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void invalidOptionsFailTheServerBuildNamingFileServiceMethodAndOption() {
    MqttServerBuilder builder = MqttServerBuilder.forBroker("tcp://127.0.0.1:1")
        .addService(new BadMappingGrpc.BadMappingImplBase() {});

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);

    assertEquals("grpcmqtt/test/v1/bad_mapping.proto: service grpcmqtt.test.v1.BadMapping, method"
        + " Second, option (grpcmqtt.method).topic: topic template \"bad/{text}\" overlaps the"
        + " topic template \"bad/{site}\" of method grpcmqtt.test.v1.BadMapping/First"
        + " (grpcmqtt/test/v1/bad_mapping.proto): both match topic \"bad/x\"", e.getMessage());
  }
}
