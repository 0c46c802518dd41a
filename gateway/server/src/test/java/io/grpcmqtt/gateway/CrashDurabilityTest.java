package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.gateway.v1.SendResponse;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An acknowledged Send survives kill -9 of the Gateway: sends keep flowing until N have been
 * acknowledged, the process is killed at once (sends still in flight), a new process starts on
 * the same store with the same arguments, and its first Receive returns every acknowledged
 * message: the broker routes nothing to the dead instance (servers have clean sessions).
 */
class CrashDurabilityTest {
  private static final int N = 200;

  static Stream<Arguments> storesAndBrokers() {
    return StoreKind.both().flatMap(kind -> Brokers.both().map(broker -> Arguments.of(kind, broker)));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("storesAndBrokers")
  void acknowledgedSendsSurviveKill9(StoreKind kind, TestBroker broker) throws Exception {
    String prefix = "crash" + ProcessHandle.current().pid() + kind + broker;
    String topic = "durable/" + prefix;
    try (StoreKind.Location location = kind.newLocation()) {
      List<String> args = new ArrayList<>(List.of("--broker", broker.uri(), "--deployment", prefix, "--rpc-prefix", prefix));
      args.addAll(location.cliArgs);
      ManagedChannel channel = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).build();
      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      try {
        try (GatewayProcess first = GatewayProcess.start(args)) {
          var stub = RobustMQGatewayGrpc.newFutureStub(channel);
          Semaphore window = new Semaphore(8);
          AtomicBoolean killed = new AtomicBoolean();
          for (int i = 0; acknowledged.size() < N; i++) {
            window.acquire();
            String payload = "m" + i;
            Futures.addCallback(stub.withDeadlineAfter(3, TimeUnit.SECONDS).send(SendRequest.newBuilder()
                .setTopic(topic).setPayload(ByteString.copyFromUtf8(payload)).build()), new FutureCallback<SendResponse>() {
                  @Override
                  public void onSuccess(SendResponse r) {
                    if (!killed.get()) {
                      acknowledged.put(r.getMsgId(), payload);
                    }
                    window.release();
                  }

                  @Override
                  public void onFailure(Throwable t) {
                    window.release();
                  }
                }, MoreExecutors.directExecutor());
          }
          // Later answers might race the kill; only what was acknowledged before it counts.
          killed.set(true);
          first.kill9();
          assertEquals(137, first.process.exitValue(), "killed by SIGKILL");
          window.acquire(8);
        }
        assertTrue(acknowledged.size() >= N);

        try (GatewayProcess second = GatewayProcess.start(args)) {
          Map<String, String> received = new HashMap<>();
          long start = System.nanoTime();
          List<Message> first = RobustMQGatewayGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS).receive(ReceiveRequest.newBuilder()
                  .setTopic(topic).setLimit(1000).setMaxWaitMs(0).build()).getMessagesList();
          first.forEach(m -> received.put(m.getMsgId(), m.getPayload().toStringUtf8()));
          System.out.printf("[%s on %s] kill -9 after %d acknowledged Sends, restart: the first"
                  + " Receive returned %d messages in %d ms%n", kind, broker, acknowledged.size(),
              first.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
          for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            assertEquals(e.getValue(), received.get(e.getKey()), "acknowledged message " + e.getKey() + " lost");
          }
          assertEquals(143, second.terminate(), "exit status after SIGTERM (128 + 15)");
          assertTrue(second.log().contains("RobustMQ Gateway stopped"), second.log());
        }
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
