package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With the default executor, handlers and call listeners may block, even on a call to a service in
 * the same process that needs the same executor: more of them at once than the machine has cores
 * must not starve one another (a pool sized to the cores would hang here until the deadline).
 */
class BlockingCallsTest {
  private static final int CALLS = 4 * Runtime.getRuntime().availableProcessors() + 4;
  private static final AtomicInteger COUNTER = new AtomicInteger();

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void aBlockingHandlerMayMakeABlockingCallToTheSameServer(TestBroker broker) throws Exception {
    try (Pair pair = new Pair(broker)) {
      List<CompletableFuture<String>> replies = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        replies.add(call(pair.channel, "outer-" + i));
      }
      for (int i = 0; i < CALLS; i++) {
        assertEquals("outer-" + i + "(inner-" + i + ")", replies.get(i).get(30, TimeUnit.SECONDS));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void aCallbackMayMakeABlockingCall(TestBroker broker) throws Exception {
    try (Pair pair = new Pair(broker)) {
      List<CompletableFuture<String>> replies = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        replies.add(reply);
        // The async stub's listener runs on the channel's executor; it blocks on a second call.
        stub(pair.channel).unary(text("first-" + i), new StreamObserver<>() {
          @Override
          public void onNext(Response first) {
            try {
              Response second = TestServiceGrpc.newBlockingStub(pair.channel)
                  .withDeadlineAfter(30, TimeUnit.SECONDS)
                  .unary(text("second-after-" + first.getText()));
              reply.complete(second.getText());
            } catch (RuntimeException e) {
              reply.completeExceptionally(e);
            }
          }

          @Override
          public void onError(Throwable t) {
            reply.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
      }
      for (int i = 0; i < CALLS; i++) {
        assertEquals("second-after-first-" + i, replies.get(i).get(30, TimeUnit.SECONDS));
      }
    }
  }

  private static CompletableFuture<String> call(ManagedChannel channel, String text) {
    CompletableFuture<String> reply = new CompletableFuture<>();
    stub(channel).unary(text(text), new StreamObserver<>() {
      @Override
      public void onNext(Response value) {
        reply.complete(value.getText());
      }

      @Override
      public void onError(Throwable t) {
        reply.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    return reply;
  }

  private static TestServiceGrpc.TestServiceStub stub(ManagedChannel channel) {
    return TestServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static Request text(String text) {
    return Request.newBuilder().setText(text).build();
  }

  /**
   * A server and a channel, both with the default executor. An "outer-N" request makes the
   * handler call "inner-N" on the same server through the channel, blocking, and answer with both.
   */
  private static final class Pair implements AutoCloseable {
    final Server server;
    final ManagedChannel channel;

    Pair(TestBroker broker) throws Exception {
      String prefix = "blk" + ProcessHandle.current().pid() + "x" + COUNTER.incrementAndGet();
      channel = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).build();
      server = MqttServerBuilder.forBroker(broker.uri())
          .topicPrefix(prefix)
          .addService(new TestServiceGrpc.TestServiceImplBase() {
            @Override
            public void unary(Request request, StreamObserver<Response> response) {
              String text = request.getText();
              if (text.startsWith("outer-")) {
                String inner = TestServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .unary(text("inner-" + text.substring("outer-".length())))
                    .getText();
                text = text + "(" + inner + ")";
              }
              response.onNext(Response.newBuilder().setText(text).build());
              response.onCompleted();
            }
          })
          .build()
          .start();
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
