package io.grpcmqtt.samples.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.gateway.v1.SendResponse;
import io.grpcmqtt.testing.MosquittoClients;
import io.grpcmqtt.testing.TestBroker;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Gateway proto's device mapping (proto/.../gateway.proto): {@code mosquitto_pub -t
 * gateway/send/sensors/room1 -m 21.5} calls Send with topic "sensors/room1" and payload "21.5".
 */
class GatewaySendMappingTest {
  /** A stand-in Send that records what it was called with. */
  private static final class RecordingGateway extends RobustMQGatewayGrpc.RobustMQGatewayImplBase {
    final BlockingQueue<SendRequest> sent = new LinkedBlockingQueue<>();
    private final AtomicInteger ids = new AtomicInteger();

    @Override
    public void send(SendRequest request, StreamObserver<SendResponse> out) {
      sent.add(request);
      out.onNext(SendResponse.newBuilder().setMsgId("m" + ids.incrementAndGet()).build());
      out.onCompleted();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void mosquittoPubToGatewaySendEnqueuesThePayloadOnTheTopic(TestBroker broker) throws Exception {
    RecordingGateway gateway = new RecordingGateway();
    Server server = MqttServerBuilder.forBroker(broker.uri())
        .topicPrefix("gw" + ProcessHandle.current().pid()).addService(gateway).build().start();
    try {
      MosquittoClients.publish(broker, "gateway/send/sensors/room1", "21.5");
      SendRequest published = gateway.sent.poll(10, TimeUnit.SECONDS);
      byte[] reply = MosquittoClients.request(broker, "gateway/send/a/b/c", "x");

      assertEquals(SendRequest.newBuilder().setTopic("sensors/room1")
          .setPayload(ByteString.copyFromUtf8("21.5")).build(), published);
      assertEquals("m2", SendResponse.parseFrom(reply).getMsgId());
      assertEquals("a/b/c", gateway.sent.poll(10, TimeUnit.SECONDS).getTopic());
    } finally {
      server.shutdownNow();
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
