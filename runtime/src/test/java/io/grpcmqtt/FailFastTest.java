package io.grpcmqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Calls that cannot succeed end at once with a clear status; nothing is left behind. */
class FailFastTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void noSubscribedServerIsUnavailableAtOnce(TestBroker broker) throws Exception {
    ManagedChannel channel =
        MqttChannelBuilder.forBroker(broker.uri()).topicPrefix("nobody-home").build();
    try {
      long start = System.nanoTime();
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  TestServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(20, TimeUnit.SECONDS)
                      .unary(Request.getDefaultInstance()));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("no server is subscribed"), e.getMessage());
      assertTrue(ms < 5_000, "took " + ms + " ms");
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void unknownMethodOfHostedServiceIsUnimplemented(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      MethodDescriptor<Request, Response> nope =
          TestServiceGrpc.getUnaryMethod().toBuilder()
              .setFullMethodName("grpcmqtt.test.v1.TestService/Nope")
              .build();
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  ClientCalls.blockingUnaryCall(
                      rpc.channel, nope, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                      Request.getDefaultInstance()));
      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("Nope"), e.getMessage());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void serviceNoOnlineServerHostsIsUnimplementedAtOnce(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      rpc.warmUp();
      MethodDescriptor<Request, Response> other =
          TestServiceGrpc.getUnaryMethod().toBuilder()
              .setFullMethodName("grpcmqtt.test.v1.OtherService/Unary")
              .build();
      long start = System.nanoTime();
      StatusRuntimeException e = failedCall(rpc, other);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), e.getMessage());
      assertEquals("Method not found: grpcmqtt.test.v1.OtherService/Unary (no online server hosts"
          + " grpcmqtt.test.v1.OtherService)", e.getStatus().getDescription());
      assertTrue(ms < 5_000, "took " + ms + " ms");

      // Once the only server is gone, the same call is UNAVAILABLE: nobody could answer it.
      rpc.server.shutdown().awaitTermination(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        StatusRuntimeException gone =
            assertThrows(StatusRuntimeException.class, () -> rpc.blocking().unary(Request.getDefaultInstance()));
        assertEquals(Status.Code.UNAVAILABLE, gone.getStatus().getCode(), gone.getMessage());
        StatusRuntimeException unhosted = failedCall(rpc, other);
        assertEquals(Status.Code.UNAVAILABLE, unhosted.getStatus().getCode(), unhosted.getMessage());
      });
    }
  }

  private static StatusRuntimeException failedCall(Rpc rpc, MethodDescriptor<Request, Response> method) {
    return assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
        rpc.channel, method, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
        Request.getDefaultInstance()));
  }

  @Test
  void unreachableBrokerIsUnavailableWithinTheConnectTimeout() throws Exception {
    int port = closedPort();
    ManagedChannel channel =
        MqttChannelBuilder.forBroker("tcp://127.0.0.1:" + port)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    try {
      long start = System.nanoTime();
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  TestServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(20, TimeUnit.SECONDS)
                      .unary(Request.getDefaultInstance()));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("127.0.0.1:" + port), e.getMessage());
      assertTrue(ms < 3_000, "took " + ms + " ms");
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void serverStartNamesTheUnreachableBroker() throws Exception {
    int port = closedPort();
    Server server =
        MqttServerBuilder.forBroker("tcp://127.0.0.1:" + port)
            .connectTimeout(Duration.ofSeconds(2))
            .addService(new TestServiceImpl())
            .build();
    IOException e = assertThrows(IOException.class, server::start);
    assertTrue(e.getMessage().contains("tcp://127.0.0.1:" + port), e.getMessage());
    server.shutdownNow();
    assertTrue(server.awaitTermination(10, TimeUnit.SECONDS));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void oversizedMessagesAreResourceExhausted(TestBroker broker) throws Exception {
    try (Rpc rpc =
        new Rpc(
            broker,
            service -> MqttServerBuilder.forBroker(broker.uri()).maxInboundMessageSize(10_000),
            MqttChannelBuilder.forBroker(broker.uri()).maxInboundMessageSize(20_000))) {
      Request big = Request.newBuilder().setBlob(ByteString.copyFrom(new byte[15_000])).build();
      // The server refuses a request over its limit...
      StatusRuntimeException server =
          assertThrows(StatusRuntimeException.class, () -> rpc.blocking().unary(big));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, server.getStatus().getCode());
      assertTrue(server.getStatus().getDescription().contains("10000"), server.getMessage());

      // ...the client refuses to send one over its own...
      Request huge = Request.newBuilder().setBlob(ByteString.copyFrom(new byte[25_000])).build();
      StatusRuntimeException client =
          assertThrows(StatusRuntimeException.class, () -> rpc.blocking().unary(huge));
      // As grpc-java's own transports end it: CANCELLED, caused by RESOURCE_EXHAUSTED.
      assertEquals(Status.Code.CANCELLED, client.getStatus().getCode());
      assertEquals("Failed to stream message", client.getStatus().getDescription());
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, Status.fromThrowable(client.getCause()).getCode());
      assertEquals("message too large 25004 > 20000",
          Status.fromThrowable(client.getCause()).getDescription());

      // ...and the server keeps serving.
      assertEquals("ok", rpc.blocking().unary(Request.newBuilder().setText("ok").build()).getText());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void oversizedResponseIsResourceExhausted(TestBroker broker) throws Exception {
    try (Rpc rpc =
        new Rpc(
            broker,
            service -> MqttServerBuilder.forBroker(broker.uri()),
            MqttChannelBuilder.forBroker(broker.uri()).maxInboundMessageSize(20_000))) {
      // The request is small enough, but the response echoes its blob plus a long header value.
      Request request = Request.newBuilder().setBlob(ByteString.copyFrom(new byte[19_900]))
          .setEchoHeader("x-pad").build();
      Metadata pad = new Metadata();
      pad.put(Metadata.Key.of("x-pad", Metadata.ASCII_STRING_MARSHALLER), "p".repeat(200));
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> rpc.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(pad))
              .unary(request));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("exceeds maximum size 20000"),
          e.getMessage());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void shutdownReleasesConnectionsAndThreads(TestBroker broker) throws Exception {
    Rpc rpc = new Rpc(broker);
    rpc.warmUp();
    // Paho has threads of each client's own; the HiveMQ client shares Netty's event loops.
    boolean paho = TestTls.paho();
    assertTrue(!paho || pahoThreadsOf(rpc).size() >= 2,
        "Paho threads of the channel and server: " + pahoThreadsOf(rpc));
    rpc.close();
    assertTrue(rpc.channel.isTerminated());
    assertTrue(rpc.server.isTerminated());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> pahoThreadsOf(rpc).isEmpty());
  }

  private static java.util.List<String> pahoThreadsOf(Rpc rpc) {
    // Paho names its threads after the client id.
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith("MQTT") && rpcOwns(rpc, n))
        .collect(Collectors.toList());
  }

  private static boolean rpcOwns(Rpc rpc, String threadName) {
    return threadName.endsWith(rpc.serverId) || threadName.endsWith(rpc.channelId);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
