package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.Response;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.awaitility.Awaitility.await;

/**
 * Tooling written against gRPC's own types works unchanged: interceptors on both sides, stream
 * tracers (what OpenTelemetry hooks into), the fallback handler registry and the deadline in the
 * handler's Context.
 */
class GrpcFeaturesTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void interceptorsTracersAndContextDeadline(TestBroker broker) throws Exception {
    List<String> tracerEvents = new CopyOnWriteArrayList<>();
    AtomicInteger serverInterceptions = new AtomicInteger();
    AtomicInteger clientInterceptions = new AtomicInteger();
    List<Long> handlerDeadlinesMs = new CopyOnWriteArrayList<>();

    ServerStreamTracer.Factory tracers =
        new ServerStreamTracer.Factory() {
          @Override
          public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
            tracerEvents.add("new " + fullMethodName);
            return new ServerStreamTracer() {
              @Override
              public void inboundMessage(int seqNo) {
                tracerEvents.add("in " + seqNo);
              }

              @Override
              public void outboundMessage(int seqNo) {
                tracerEvents.add("out " + seqNo);
              }

              @Override
              public void streamClosed(Status status) {
                tracerEvents.add("closed " + status.getCode());
              }
            };
          }
        };
    ServerInterceptor countAndReadDeadline =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            serverInterceptions.incrementAndGet();
            if (Context.current().getDeadline() != null) {
              handlerDeadlinesMs.add(Context.current().getDeadline().timeRemaining(TimeUnit.MILLISECONDS));
            }
            return next.startCall(call, headers);
          }
        };
    ClientInterceptor countCalls =
        new ClientInterceptor() {
          @Override
          public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
              MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
            clientInterceptions.incrementAndGet();
            return next.newCall(method, options);
          }
        };

    try (Rpc rpc =
        new Rpc(
            broker,
            service ->
                MqttServerBuilder.forBroker(broker.uri())
                    .intercept(countAndReadDeadline)
                    .addStreamTracerFactory(tracers),
            (MqttChannelBuilder) MqttChannelBuilder.forBroker(broker.uri()).intercept(countCalls))) {
      Response response =
          TestServiceGrpc.newBlockingStub(rpc.channel)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .unary(Request.newBuilder().setText("x").build());
      assertEquals("x", response.getText());
      assertEquals(1, serverInterceptions.get());
      assertEquals(1, clientInterceptions.get());
      assertEquals(1, handlerDeadlinesMs.size());
      long remaining = handlerDeadlinesMs.get(0);
      assertTrue(remaining > 3_000 && remaining <= 5_000, "handler deadline " + remaining + " ms");
      await().until(() -> tracerEvents.contains("closed OK"));
      assertEquals(
          List.of("new grpcmqtt.test.v1.TestService/Unary", "in 0", "out 0", "closed OK"),
          tracerEvents);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void fallbackRegistryServesDeclaredServices(TestBroker broker) throws Exception {
    ServerServiceDefinition dynamic =
        ServerServiceDefinition.builder("grpcmqtt.test.v1.Dynamic")
            .addMethod(
                TestServiceGrpc.getUnaryMethod().toBuilder()
                    .setFullMethodName("grpcmqtt.test.v1.Dynamic/Unary")
                    .build(),
                ServerCalls.asyncUnaryCall(
                    (Request request, io.grpc.stub.StreamObserver<Response> out) -> {
                      out.onNext(Response.newBuilder().setText("dynamic " + request.getText()).build());
                      out.onCompleted();
                    }))
            .addMethod(
                TestServiceGrpc.getBidiMethod().toBuilder()
                    .setFullMethodName("grpcmqtt.test.v1.Dynamic/Bidi")
                    .build(),
                ServerCalls.asyncBidiStreamingCall(
                    (io.grpc.stub.StreamObserver<Response> out) ->
                        new io.grpc.stub.StreamObserver<Request>() {
                          @Override
                          public void onNext(Request request) {
                            out.onNext(Response.newBuilder().setText("echo " + request.getText()).build());
                          }

                          @Override
                          public void onError(Throwable t) {}

                          @Override
                          public void onCompleted() {
                            out.onCompleted();
                          }
                        }))
            .build();
    HandlerRegistry fallback =
        new HandlerRegistry() {
          @Override
          public ServerMethodDefinition<?, ?> lookupMethod(String method, String authority) {
            return dynamic.getMethod(method);
          }
        };
    try (Rpc rpc =
        new Rpc(
            broker,
            service ->
                MqttServerBuilder.forBroker(broker.uri())
                    .fallbackHandlerRegistry(fallback)
                    .handleServiceName("grpcmqtt.test.v1.Dynamic"),
            MqttChannelBuilder.forBroker(broker.uri()))) {
      MethodDescriptor<Request, Response> method =
          TestServiceGrpc.getUnaryMethod().toBuilder()
              .setFullMethodName("grpcmqtt.test.v1.Dynamic/Unary")
              .build();
      Response response =
          io.grpc.stub.ClientCalls.blockingUnaryCall(
              rpc.channel, method, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
              Request.newBuilder().setText("call").build());
      assertEquals("dynamic call", response.getText());

      // Streaming kinds work too: the request's own properties tell the server the call kind.
      MethodDescriptor<Request, Response> bidi =
          TestServiceGrpc.getBidiMethod().toBuilder()
              .setFullMethodName("grpcmqtt.test.v1.Dynamic/Bidi")
              .build();
      java.util.concurrent.CompletableFuture<Response> first = new java.util.concurrent.CompletableFuture<>();
      io.grpc.stub.StreamObserver<Request> requests =
          io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
              rpc.channel.newCall(bidi, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)),
              CallKindsTest.observer(first));
      requests.onNext(Request.newBuilder().setText("b").build());
      assertEquals("echo b", first.get(5, TimeUnit.SECONDS).getText());
      requests.onCompleted();
    }
  }
}
