package io.grpcmqtt.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.bridge.test.v1.EchoRequest;
import io.grpcmqtt.bridge.test.v1.EchoResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** One call of each kind through a topology, checked message by message. */
final class CallKinds {
  static final Metadata.Key<String> CLIENT_HEADER =
      Metadata.Key.of("x-client-header", Metadata.ASCII_STRING_MARSHALLER);

  private CallKinds() {}

  static void all(Topology t) throws Exception {
    unary(t);
    serverStream(t, 200);
    clientStream(t);
    bidi(t);
  }

  /** A unary call; its header echoed, the response header and trailer back. */
  static void unary(Topology t) {
    Metadata sent = new Metadata();
    sent.put(CLIENT_HEADER, "hello-header");
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    EchoResponse response =
        t.blocking()
            .withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(sent),
                MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
            .unary(EchoRequest.newBuilder().setText("hi").setEchoHeader("x-client-header").build());
    assertEquals("hi|x-client-header=hello-header", response.getText());
    assertEquals("Unary", headers.get().get(EchoService.SERVED_BY));
    assertEquals("closed-OK", trailers.get().get(EchoService.CALL_TRAILER));
  }

  static void serverStream(Topology t, int count) {
    Iterator<EchoResponse> responses =
        t.blocking().serverStream(EchoRequest.newBuilder().setText("s").setCount(count).build());
    int expected = 0;
    while (responses.hasNext()) {
      EchoResponse r = responses.next();
      assertEquals(expected++, r.getIndex());
      assertEquals("s", r.getText());
    }
    assertEquals(count, expected);
  }

  static void clientStream(Topology t) throws Exception {
    CompletableFuture<EchoResponse> done = new CompletableFuture<>();
    StreamObserver<EchoRequest> requests = t.async().clientStream(observer(done));
    for (int i = 0; i < 50; i++) {
      requests.onNext(EchoRequest.newBuilder().setText("c" + i).build());
    }
    requests.onCompleted();
    EchoResponse response = done.get(20, TimeUnit.SECONDS);
    assertEquals(50, response.getIndex());
    assertTrue(response.getText().startsWith("c0,c1,c2,"), response.getText());
    assertTrue(response.getText().endsWith(",c49"), response.getText());
  }

  /** Ping-pong: each request is sent only after the previous response came back. */
  static void bidi(Topology t) throws Exception {
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    StreamObserver<EchoRequest> requests =
        t.async()
            .bidi(
                new StreamObserver<>() {
                  @Override
                  public void onNext(EchoResponse value) {
                    received.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    received.add(t);
                  }

                  @Override
                  public void onCompleted() {
                    received.add("completed");
                  }
                });
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      requests.onNext(EchoRequest.newBuilder().setText("b" + i).build());
      Object next = received.poll(20, TimeUnit.SECONDS);
      if (!(next instanceof EchoResponse)) {
        throw new AssertionError("expected response " + i + ", got " + next);
      }
      EchoResponse r = (EchoResponse) next;
      assertEquals(i, r.getIndex());
      texts.add(r.getText());
    }
    requests.onCompleted();
    assertEquals("completed", received.poll(20, TimeUnit.SECONDS));
    assertEquals("b19", texts.get(19));
  }

  /** What a call ended with: its responses, and its error (null when it completed). */
  static final class Outcome {
    final List<EchoResponse> responses = new ArrayList<>();
    Throwable error;
  }

  /** Sends {@code requests} on one bidi call, half-closes, and waits for the end. */
  static Outcome bidiAll(Topology t, EchoRequest... requests) throws Exception {
    Outcome outcome = new Outcome();
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    StreamObserver<EchoRequest> out =
        t.async()
            .bidi(
                new StreamObserver<>() {
                  @Override
                  public void onNext(EchoResponse value) {
                    outcome.responses.add(value);
                  }

                  @Override
                  public void onError(Throwable error) {
                    outcome.error = error;
                    done.complete(outcome);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(outcome);
                  }
                });
    for (EchoRequest request : requests) {
      out.onNext(request);
    }
    out.onCompleted();
    return done.get(20, TimeUnit.SECONDS);
  }

  static <T> StreamObserver<T> observer(CompletableFuture<T> future) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        future.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        future.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        future.completeExceptionally(new AssertionError("completed without a response"));
      }
    };
  }
}
