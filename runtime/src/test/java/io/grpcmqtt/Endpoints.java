package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TestService server and a channel made from builders the test configured (TLS, credentials),
 * under a topic prefix of their own; the broker-agnostic sibling of {@link Rpc}.
 */
final class Endpoints implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  final String prefix;
  final TestServiceImpl service = new TestServiceImpl();
  final Server server;
  final ManagedChannel channel;

  /** Under a fresh topic prefix. */
  Endpoints(MqttServerBuilder server, MqttChannelBuilder channel) throws IOException {
    this("s" + ProcessHandle.current().pid() + "x" + COUNTER.incrementAndGet(), server, channel);
  }

  /** Under {@code prefix}, for brokers whose ACL names the topics. */
  Endpoints(String prefix, MqttServerBuilder server, MqttChannelBuilder channel)
      throws IOException {
    this.prefix = prefix;
    this.server = server.topicPrefix(prefix).addService(service).build().start();
    this.channel = channel.topicPrefix(prefix).build();
  }

  TestServiceGrpc.TestServiceBlockingStub blocking() {
    return TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  TestServiceGrpc.TestServiceStub async() {
    return TestServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** One call of each kind, checking the answers. */
  void smokeAllCallKinds() throws Exception {
    assertEquals("u", blocking().unary(Request.newBuilder().setText("u").build()).getText());

    Iterator<Response> stream =
        blocking().serverStream(Request.newBuilder().setText("s").setCount(20).build());
    int n = 0;
    while (stream.hasNext()) {
      assertEquals(n++, stream.next().getIndex());
    }
    assertEquals(20, n);

    CompletableFuture<Response> sum = new CompletableFuture<>();
    StreamObserver<Request> up = async().clientStream(CallKindsTest.observer(sum));
    for (int i = 0; i < 10; i++) {
      up.onNext(Request.newBuilder().setText(Integer.toString(i)).build());
    }
    up.onCompleted();
    assertEquals("0123456789", sum.get(10, TimeUnit.SECONDS).getText());

    List<String> echoed = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<Request> bidi =
        async()
            .bidi(
                new StreamObserver<>() {
                  @Override
                  public void onNext(Response value) {
                    echoed.add(value.getText());
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
    bidi.onNext(Request.newBuilder().setText("a").build());
    bidi.onNext(Request.newBuilder().setText("b").build());
    bidi.onCompleted();
    done.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("a", "b"), echoed);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    try {
      channel.awaitTermination(10, TimeUnit.SECONDS);
      server.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
