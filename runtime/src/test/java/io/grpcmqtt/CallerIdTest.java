package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerStreamTracer;
import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.test.v1.TestServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The caller's client id and Response Topic, as user interceptors and stream tracers see them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CallerIdTest {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  /** What one interceptor or tracer saw for one call. */
  record Seen(String where, String method, String clientId, String responseTopic, String attribute) {}

  private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
  private final String prefix = "c" + ProcessHandle.current().pid() + "x" + COUNTER.incrementAndGet();

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void everyUserInterceptorSeesTheCallingChannel(TestBroker broker) throws Exception {
    String channelId = "caller-" + prefix;
    Server server = server(broker.uri());
    ManagedChannel channel =
        MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).clientId(channelId).build();
    try {
      TestServiceGrpc.TestServiceBlockingStub stub =
          TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      stub.unary(Request.newBuilder().setText("who").build());
      Iterator<?> stream = stub.serverStream(Request.newBuilder().setCount(3).build());
      stream.forEachRemaining(r -> {});

      String replyTopic = prefix + "/_reply/" + channelId;
      for (String method : List.of("Unary", "ServerStream")) {
        List<Seen> call = next(4);
        // Server-wide interceptors run outermost-last-added first, then per-service ones.
        assertEquals(List.of("builder-after-service", "builder-before-service", "service"),
            call.stream().filter(s -> !s.where().equals("tracer")).map(Seen::where).toList());
        for (Seen s : call) {
          assertEquals(method, s.method(), s.toString());
          assertEquals(replyTopic, s.attribute(), s.toString());
          if (s.where().equals("tracer")) {
            // Stream tracers filter the context before any interceptor: they read the attribute.
            assertNull(s.clientId(), s.toString());
          } else {
            assertEquals(channelId, s.clientId(), s.toString());
            assertEquals(replyTopic, s.responseTopic(), s.toString());
          }
        }
      }
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void deviceTopicsGiveNoClientIdAndOneWayCallsNothing() throws Exception {
    TestBroker broker = io.grpcmqtt.testing.Brokers.hivemq();
    Server server = server(broker.uri());
    try (RawMqttClient device = new RawMqttClient(broker.uri())) {
      String topic = prefix + "/grpcmqtt.test.v1.TestService/Unary";
      byte[] request = Request.newBuilder().setText("device").build().toByteArray();

      device.request(topic, request, new byte[] {7}, null);
      device.nextReply();
      for (Seen s : next(4)) {
        assertNull(s.clientId(), s.toString());
        if (!s.where().equals("tracer")) {
          assertEquals(device.replyTopic, s.responseTopic(), s.toString());
        }
        assertEquals(device.replyTopic, s.attribute(), s.toString());
      }

      // A reply topic that looks like ours but has a different prefix is not a grpc-mqtt caller.
      device.client.subscribe("other/_reply/x", 1).waitForCompletion(5_000);
      MqttMessage foreign = new MqttMessage(request);
      foreign.setQos(1);
      foreign.setProperties(new org.eclipse.paho.mqttv5.common.packet.MqttProperties());
      foreign.getProperties().setResponseTopic("other/_reply/x");
      device.client.publish(topic, foreign).waitForCompletion(5_000);
      for (Seen s : next(4)) {
        assertNull(s.clientId(), s.toString());
      }

      MqttMessage oneWay = new MqttMessage(request);
      oneWay.setQos(1);
      device.client.publish(topic, oneWay).waitForCompletion(5_000);
      for (Seen s : next(4)) {
        assertNull(s.clientId(), s.toString());
        assertNull(s.responseTopic(), s.toString());
        assertNull(s.attribute(), s.toString());
      }
    } finally {
      server.shutdownNow();
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private Server server(String uri) throws Exception {
    return MqttServerBuilder.forBroker(uri)
        .topicPrefix(prefix)
        .intercept(recorder("builder-before-service"))
        .addService(ServerInterceptors.intercept(new TestServiceImpl(), recorder("service")))
        .intercept(recorder("builder-after-service"))
        .addStreamTracerFactory(tracer())
        .build()
        .start();
  }

  private List<Seen> next(int n) throws InterruptedException {
    List<Seen> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Seen s = seen.poll(10, TimeUnit.SECONDS);
      if (s == null) {
        throw new AssertionError("only " + out + " within 10 s");
      }
      out.add(s);
    }
    return out;
  }

  private ServerInterceptor recorder(String where) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        seen.add(new Seen(where, call.getMethodDescriptor().getBareMethodName(),
            MqttCallAttributes.callerClientId(), MqttCallAttributes.responseTopic(),
            call.getAttributes().get(MqttCallAttributes.ATTR_RESPONSE_TOPIC)));
        return next.startCall(call, headers);
      }
    };
  }

  private ServerStreamTracer.Factory tracer() {
    return new ServerStreamTracer.Factory() {
      @Override
      public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        return new ServerStreamTracer() {
          private String clientIdInContext;

          @Override
          public Context filterContext(Context context) {
            clientIdInContext = MqttCallAttributes.CALLER_CLIENT_ID.get(context);
            return context;
          }

          @Override
          public void serverCallStarted(ServerCallInfo<?, ?> info) {
            seen.add(new Seen("tracer", info.getMethodDescriptor().getBareMethodName(),
                clientIdInContext, null, info.getAttributes().get(MqttCallAttributes.ATTR_RESPONSE_TOPIC)));
          }
        };
      }
    };
  }
}
