package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Messages larger than the broker's Maximum Packet Size cross in chunks, in every call kind and
 * direction, through an embedded HiveMQ and a Mosquitto that both cap packets at 128 KiB; a call
 * that cannot be sent fails alone and the connection keeps serving.
 */
class LargeMessagesTest {
  static final int CAP = 131_072;
  private static TestBroker hivemq;
  private static TestBroker mosquitto;

  /**
   * Both capped brokers, each started when a test first asks for its address (so the HiveMQ case
   * still runs without Mosquitto) and shared by the class; JUnit cannot close them after each case
   * because the arguments are not the brokers themselves.
   */
  static Stream<TestBroker> capped() {
    return Stream.of(new Capped("hivemq-128k"), new Capped("mosquitto-128k"));
  }

  @AfterAll
  static void closeBrokers() throws Exception {
    if (hivemq != null) {
      ((AutoCloseable) hivemq).close();
    }
    if (mosquitto != null) {
      ((AutoCloseable) mosquitto).close();
    }
  }

  private static Request big(int size, long seed) {
    byte[] blob = new byte[size];
    new Random(seed).nextBytes(blob);
    return Request.newBuilder().setText("big").setBlob(ByteString.copyFrom(blob)).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("capped")
  void unaryCallsCrossInChunksBothWays(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      // A small call is still one plain PUBLISH each way (a device sees no chunk header).
      try (RawMqttClient device = new RawMqttClient(broker.uri())) {
        device.request(rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary",
            Request.newBuilder().setText("small").build().toByteArray(), new byte[] {1}, null);
        MqttMessage reply = device.nextReply();
        assertEquals("0", RawMqttClient.property(reply, "grpc-status"));
        assertNull(RawMqttClient.property(reply, "grpc-chunk"));
        assertEquals("small", Response.parseFrom(reply.getPayload()).getText());
      }
      for (int size : new int[] {CAP - 200, CAP, 1_000_000, 3_000_000}) {
        Request request = big(size, size);
        Response response = rpc.blocking().unary(request);
        assertEquals(request.getBlob(), response.getBlob(), "echo of " + size + " bytes");
      }
      assertEquals(5, rpc.service.unaryInvocations.get());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("capped")
  void streamingCallsCrossInChunksBothWays(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      // Server streaming: a large request (sent as an open, then chunks) and large responses.
      Request request = big(400_000, 7).toBuilder().setCount(3).setFlowControlled(true).build();
      Iterator<Response> it = rpc.blocking().serverStream(request);
      int n = 0;
      while (it.hasNext()) {
        assertEquals(request.getBlob(), it.next().getBlob());
        n++;
      }
      assertEquals(3, n);

      // Client streaming: large messages up.
      CompletableFuture<Response> sum = new CompletableFuture<>();
      StreamObserver<Request> up = rpc.async().clientStream(CallKindsTest.observer(sum));
      for (int i = 0; i < 4; i++) {
        up.onNext(big(300_000, i).toBuilder().setText(Integer.toString(i)).build());
      }
      up.onCompleted();
      assertEquals("0123", sum.get(20, TimeUnit.SECONDS).getText());

      // Bidi: large messages both ways, interleaved with small ones.
      List<Integer> sizes = new ArrayList<>();
      CompletableFuture<Void> done = new CompletableFuture<>();
      StreamObserver<Request> bidi = rpc.async().bidi(new StreamObserver<>() {
        @Override
        public void onNext(Response value) {
          sizes.add(value.getText().length());
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
      for (int i = 0; i < 6; i++) {
        bidi.onNext(Request.newBuilder().setText(i % 2 == 0 ? "x".repeat(250_000) : "y").build());
      }
      bidi.onCompleted();
      done.get(20, TimeUnit.SECONDS);
      assertEquals(List.of(250_000, 1, 250_000, 1, 250_000, 1), sizes);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("capped")
  void whatCannotBeSentFailsOnlyItsCall(TestBroker broker) throws Exception {
    // The channel may send 8 MB; the server takes 4 MiB (its default).
    try (Rpc rpc = new Rpc(broker, service -> MqttServerBuilder.forBroker(broker.uri()),
        MqttChannelBuilder.forBroker(broker.uri()).maxInboundMessageSize(8_000_000))) {
      rpc.warmUp();
      // Metadata alone larger than a packet: no chunking can carry it.
      Metadata huge = new Metadata();
      huge.put(Metadata.Key.of("x-huge", Metadata.ASCII_STRING_MARSHALLER), "h".repeat(CAP));
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> rpc.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(huge))
              .unary(Request.newBuilder().setText("t").build()));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getMessage());
      assertTrue(e.getStatus().getDescription().contains("maximum packet size of " + CAP), e.getMessage());

      // A response whose metadata cannot be sent: the client hears RESOURCE_EXHAUSTED at once.
      Request echoHuge = Request.newBuilder().setText("z".repeat(CAP + 10)).setFailCode(5)
          .setFailMessage("m".repeat(CAP)).build();
      StatusRuntimeException r = assertThrows(StatusRuntimeException.class,
          () -> rpc.blocking().unary(echoHuge));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, r.getStatus().getCode(), r.getMessage());

      // Larger than the server's message limit (4 MiB): refused from the first chunk.
      StatusRuntimeException tooBig = assertThrows(StatusRuntimeException.class,
          () -> rpc.blocking().unary(big(5_000_000, 1)));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooBig.getStatus().getCode(), tooBig.getMessage());
      assertTrue(tooBig.getStatus().getDescription()
          .endsWith("bytes is larger than the limit of 4194304 bytes"), tooBig.getMessage());

      // The same connection still serves calls, small and large.
      assertEquals("still here",
          rpc.blocking().unary(Request.newBuilder().setText("still here").build()).getText());
      Request request = big(500_000, 3);
      assertArrayEquals(request.getBlob().toByteArray(),
          rpc.blocking().unary(request).getBlob().toByteArray());
    }
  }

  /**
   * A publish that fails on the publishing thread (here: headers over the broker's packet limit)
   * ends its call without holding the stream's lock, so a listener running on that thread (a
   * direct executor) may wait for another thread that uses the same call.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("capped")
  void aPublishThatFailsAtOnceClosesTheCallOutsideTheStreamsLock(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker, service -> MqttServerBuilder.forBroker(broker.uri()),
        MqttChannelBuilder.forBroker(broker.uri()).directExecutor())) {
      rpc.warmUp();
      Metadata huge = new Metadata();
      huge.put(Metadata.Key.of("x-huge", Metadata.ASCII_STRING_MARSHALLER), "h".repeat(CAP));
      ClientCall<Request, Response> call = rpc.channel.newCall(TestServiceGrpc.getUnaryMethod(),
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
      CompletableFuture<Status> closed = new CompletableFuture<>();
      CompletableFuture<Boolean> otherThreadGotIn = new CompletableFuture<>();
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onClose(Status status, Metadata trailers) {
          // request() takes the stream's lock: it returns at once unless this thread holds it.
          Thread other = new Thread(() -> call.request(1), "uses-the-call");
          other.start();
          try {
            other.join(10_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          otherThreadGotIn.complete(!other.isAlive());
          closed.complete(status);
        }
      }, huge);
      call.request(1);
      call.sendMessage(Request.newBuilder().setText("t").build());
      call.halfClose();
      assertEquals(Status.Code.RESOURCE_EXHAUSTED,
          closed.get(20, TimeUnit.SECONDS).getCode(), closed.get().toString());
      assertTrue(otherThreadGotIn.get(), "onClose ran while its thread held the stream's lock");
    }
  }

  /** A capped broker by name, started on first use. */
  private static final class Capped implements TestBroker {
    private final String name;

    Capped(String name) {
      this.name = name;
    }

    private TestBroker get() {
      synchronized (LargeMessagesTest.class) {
        if (name.startsWith("hivemq")) {
          if (hivemq == null) {
            hivemq = Brokers.newHivemq(b -> b.maxPacketSize(CAP));
          }
          return hivemq;
        }
        if (mosquitto == null) {
          mosquitto = Brokers.newMosquitto("max_packet_size " + CAP);
        }
        return mosquitto;
      }
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String uri() {
      return get().uri();
    }

    @Override
    public String host() {
      return get().host();
    }

    @Override
    public int port() {
      return get().port();
    }

    @Override
    public void stop() {
      get().stop();
    }

    @Override
    public void start() {
      get().start();
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
