package io.grpcmqtt;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A TestService server and a channel to it on one broker, under a topic prefix of their own. */
final class Rpc implements AutoCloseable {
  static final Metadata.Key<String> RESPONSE_HEADER =
      Metadata.Key.of("x-response-header", Metadata.ASCII_STRING_MARSHALLER);
  private static final AtomicInteger COUNTER = new AtomicInteger();

  final TestBroker broker;
  final String prefix;
  final TestServiceImpl service = new TestServiceImpl();
  final Server server;
  final ManagedChannel channel;
  final String serverId;
  final String channelId;

  Rpc(TestBroker broker) throws IOException {
    this(broker, service -> MqttServerBuilder.forBroker(broker.uri()), MqttChannelBuilder.forBroker(broker.uri()));
  }

  interface ServerCustomizer {
    MqttServerBuilder builder(TestServiceImpl service);
  }

  Rpc(TestBroker broker, ServerCustomizer server, MqttChannelBuilder channel) throws IOException {
    this.broker = broker;
    int n = COUNTER.incrementAndGet();
    this.prefix = "t" + ProcessHandle.current().pid() + "x" + n;
    this.serverId = "test-server-" + ProcessHandle.current().pid() + "-" + n;
    this.channelId = "test-channel-" + ProcessHandle.current().pid() + "-" + n;
    this.server =
        server.builder(service)
            .topicPrefix(prefix)
            .clientId(serverId)
            .addService(ServerInterceptors.intercept(service, new HeaderCapture()))
            .build()
            .start();
    this.channel = channel.topicPrefix(prefix).clientId(channelId).build();
  }

  /** Makes the channel connect, so a short deadline measures the call and not the connect. */
  void warmUp() {
    blocking().unary(io.grpcmqtt.test.v1.Request.newBuilder().setText("warm-up").build());
  }

  TestServiceGrpc.TestServiceBlockingStub blocking() {
    return TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  TestServiceGrpc.TestServiceStub async() {
    return TestServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  TestServiceGrpc.TestServiceFutureStub future() {
    return TestServiceGrpc.newFutureStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
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

  /** Puts the request headers in the Context and adds a response header to every call. */
  static final class HeaderCapture implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      ServerCall<ReqT, RespT> withHeader =
          new SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata responseHeaders) {
              responseHeaders.put(RESPONSE_HEADER, "from-" + call.getMethodDescriptor().getBareMethodName());
              super.sendHeaders(responseHeaders);
            }
          };
      return Contexts.interceptCall(
          Context.current().withValue(TestServiceImpl.HEADERS, headers), withHeader, headers, next);
    }
  }
}
