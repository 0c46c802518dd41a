package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.testing.TestBroker;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every call kind through a real broker, with unmodified generated stubs. */
class CallKindsTest {
  private static final Metadata.Key<String> CLIENT_HEADER =
      Metadata.Key.of("x-client-header", Metadata.ASCII_STRING_MARSHALLER);

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void unaryCarriesMessageHeadersAndTrailers(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      Metadata sent = new Metadata();
      sent.put(CLIENT_HEADER, "hello-header");
      AtomicReference<Metadata> headers = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      Response response =
          rpc.blocking()
              .withInterceptors(
                  MetadataUtils.newAttachHeadersInterceptor(sent),
                  MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
              .unary(Request.newBuilder().setText("hi").setEchoHeader("x-client-header").build());

      assertEquals("hi|x-client-header=hello-header", response.getText());
      assertEquals("from-Unary", headers.get().get(Rpc.RESPONSE_HEADER));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void unaryWithFutureAndAsyncStubs(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      Response viaFuture =
          rpc.future().unary(Request.newBuilder().setText("f").build()).get(10, TimeUnit.SECONDS);
      assertEquals("f", viaFuture.getText());

      CompletableFuture<Response> viaAsync = new CompletableFuture<>();
      rpc.async().unary(Request.newBuilder().setText("a").build(), observer(viaAsync));
      assertEquals("a", viaAsync.get(10, TimeUnit.SECONDS).getText());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void serverStreamingDeliversEveryMessageInOrder(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      Iterator<Response> responses =
          rpc.blocking().serverStream(Request.newBuilder().setText("s").setCount(500).build());
      int expected = 0;
      while (responses.hasNext()) {
        assertEquals(expected++, responses.next().getIndex());
      }
      assertEquals(500, expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void clientStreamingGetsOneAnswerForAllMessages(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      CompletableFuture<Response> result = new CompletableFuture<>();
      StreamObserver<Request> requests = rpc.async().clientStream(observer(result));
      StringBuilder expected = new StringBuilder();
      for (int i = 0; i < 200; i++) {
        requests.onNext(Request.newBuilder().setText(Integer.toString(i % 10)).build());
        expected.append(i % 10);
      }
      requests.onCompleted();
      Response response = result.get(10, TimeUnit.SECONDS);
      assertEquals(200, response.getIndex());
      assertEquals(expected.toString(), response.getText());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void bidiEchoesEachMessage(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      List<Response> received = new ArrayList<>();
      CompletableFuture<Void> done = new CompletableFuture<>();
      StreamObserver<Request> requests =
          rpc.async()
              .bidi(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(Response value) {
                      received.add(value);
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
      for (int i = 0; i < 100; i++) {
        requests.onNext(Request.newBuilder().setText("m" + i).build());
      }
      requests.onCompleted();
      done.get(10, TimeUnit.SECONDS);
      assertEquals(100, received.size());
      for (int i = 0; i < 100; i++) {
        assertEquals("m" + i, received.get(i).getText());
        assertEquals(i, received.get(i).getIndex());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void largeAndEmptyMessages(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      byte[] big = new byte[1024 * 1024 + 17];
      new Random(7).nextBytes(big);
      Response response =
          rpc.blocking().unary(Request.newBuilder().setBlob(ByteString.copyFrom(big)).build());
      assertArrayEquals(big, response.getBlob().toByteArray());

      Response empty = rpc.blocking().unary(Request.getDefaultInstance());
      assertEquals(Response.getDefaultInstance(), empty);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void errorsKeepCodeMessageAndTrailersForEveryCallKind(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      Request fail =
          Request.newBuilder().setFailCode(Status.Code.FAILED_PRECONDITION.value())
              .setFailMessage("nope: ünïcode ok").build();

      StatusRuntimeException unary =
          assertThrows(StatusRuntimeException.class, () -> rpc.blocking().unary(fail));
      assertStatus(unary, "Unary");

      StatusRuntimeException stream =
          assertThrows(
              StatusRuntimeException.class, () -> rpc.blocking().serverStream(fail).hasNext());
      assertStatus(stream, "ServerStream");

      CompletableFuture<Response> client = new CompletableFuture<>();
      StreamObserver<Request> requests = rpc.async().clientStream(observer(client));
      requests.onNext(fail);
      requests.onCompleted();
      assertStatus(failure(client), "ClientStream");

      CompletableFuture<Response> bidi = new CompletableFuture<>();
      StreamObserver<Request> bidiRequests = rpc.async().bidi(observer(bidi));
      bidiRequests.onNext(fail);
      assertStatus(failure(bidi), "Bidi");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void everyStatusCodeRoundTrips(TestBroker broker) throws Exception {
    try (Rpc rpc = new Rpc(broker)) {
      for (Status.Code code : Status.Code.values()) {
        if (code == Status.Code.OK) {
          continue;
        }
        Request fail = Request.newBuilder().setFailCode(code.value()).setFailMessage(code.name()).build();
        StatusRuntimeException e =
            assertThrows(StatusRuntimeException.class, () -> rpc.blocking().unary(fail));
        assertEquals(code, e.getStatus().getCode());
        assertEquals(code.name(), e.getStatus().getDescription());
      }
    }
  }

  private static void assertStatus(StatusRuntimeException e, String method) {
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals("nope: ünïcode ok", e.getStatus().getDescription());
    assertEquals("failed-" + method, e.getTrailers().get(TestServiceImpl.TRAILER));
  }

  static StatusRuntimeException failure(CompletableFuture<?> future) throws Exception {
    return failure(future, 10);
  }

  static StatusRuntimeException failure(CompletableFuture<?> future, long seconds)
      throws Exception {
    try {
      future.get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return (StatusRuntimeException) e.getCause();
    }
    throw new AssertionError("call succeeded but should have failed");
  }

  /** Completes the future when the call ends, whatever messages came before. */
  static <T> StreamObserver<T> ending(CompletableFuture<Void> ended) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {
        ended.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        ended.complete(null);
      }
    };
  }

  static <T> StreamObserver<T> observer(CompletableFuture<T> result) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        result.complete(null);
      }
    };
  }
}
