package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.gateway.v1.AckRequest;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two Gateways (their own JVMs) on one PostgreSQL queue, one killed with SIGKILL under a producer
 * and a consumer load. Nothing acknowledged is lost; a message comes twice only as a documented
 * redelivery (a higher delivery_count, after its lease expired: the dead instance held it, or its
 * Ack was lost with the instance); no call started after the kill waits for its deadline.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GatewayFailoverTest {
  private static final Duration DEADLINE = Duration.ofSeconds(3);
  /** Requests published within this much of a kill -9 may still reach the dying instance. */
  private static final Duration KILL_GRACE = Duration.ofSeconds(1);
  private static final int LEASE_MS = 2_000;

  /** One call of the load: when it started and how it ended. */
  record Call(String method, long startNanos, Status.Code code) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void twoInstancesOnPostgresOneKilledUnderLoad(TestBroker broker) throws Exception {
    String prefix = "gwfail" + ProcessHandle.current().pid() + broker;
    String topic = "failover/" + prefix;
    StoreKind.Location location = StoreKind.POSTGRES.newLocation();
    List<String> args = new ArrayList<>(List.of("--broker", broker.uri(), "--rpc-prefix", prefix));
    args.addAll(location.cliArgs);
    ManagedChannel producerChannel = channel(broker, prefix);
    ManagedChannel consumerChannel = channel(broker, prefix);
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicBoolean consuming = new AtomicBoolean(true);
    List<String> duplicatesWithoutRedelivery = new ArrayList<>();
    try (GatewayProcess a = GatewayProcess.start(args); GatewayProcess b = GatewayProcess.start(args)) {
      Thread producer = new Thread(() -> {
        var stub = RobustMQGatewayGrpc.newBlockingStub(producerChannel);
        for (int i = 0; producing.get() && i < 100_000; i++) {
          String payload = "m" + i;
          long start = System.nanoTime();
          Status.Code code = Status.Code.OK;
          try {
            String id = stub.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .send(SendRequest.newBuilder().setTopic(topic)
                    .setPayload(ByteString.copyFromUtf8(payload)).build()).getMsgId();
            acknowledged.put(id, payload);
          } catch (StatusRuntimeException e) {
            code = e.getStatus().getCode();
          }
          calls.add(new Call("Send", start, code));
        }
      }, "producer");
      Thread consumer = new Thread(() -> {
        var stub = RobustMQGatewayGrpc.newBlockingStub(consumerChannel);
        while (consuming.get()) {
          long start = System.nanoTime();
          List<Message> batch = List.of();
          Status.Code code = Status.Code.OK;
          try {
            batch = stub.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .receive(ReceiveRequest.newBuilder().setTopic(topic).setLimit(20).setMaxWaitMs(500)
                    .setVisibilityTimeoutMs(LEASE_MS).build()).getMessagesList();
          } catch (StatusRuntimeException e) {
            code = e.getStatus().getCode();
          }
          calls.add(new Call("Receive", start, code));
          for (Message m : batch) {
            int seen = deliveries.merge(m.getMsgId(), 1, Integer::sum);
            if (seen > 1 && m.getDeliveryCount() < 2) {
              synchronized (duplicatesWithoutRedelivery) {
                duplicatesWithoutRedelivery.add(m.getMsgId());
              }
            }
            long ackStart = System.nanoTime();
            Status.Code ackCode = Status.Code.OK;
            try {
              stub.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                  .ack(AckRequest.newBuilder().setTopic(topic).setMsgId(m.getMsgId()).build());
            } catch (StatusRuntimeException e) {
              ackCode = e.getStatus().getCode();
            }
            calls.add(new Call("Ack", ackStart, ackCode));
          }
        }
      }, "consumer");
      producer.start();
      consumer.start();

      awaitCount(acknowledged, 200, Duration.ofSeconds(60));
      long kill = System.nanoTime();
      a.kill9();
      awaitCount(acknowledged, acknowledged.size() + 200, Duration.ofSeconds(60));
      // A fast survivor takes the next 200 Sends within the grace: keep producing past it, so
      // calls started after the grace exist and are checked.
      long pastGrace = kill + KILL_GRACE.toNanos() + TimeUnit.SECONDS.toNanos(2);
      int before = acknowledged.size();
      while (System.nanoTime() - pastGrace < 0 || acknowledged.size() < before + 20) {
        if (System.nanoTime() - pastGrace > TimeUnit.SECONDS.toNanos(60)) {
          throw new AssertionError("no Sends acknowledged after the grace");
        }
        Thread.sleep(20);
      }
      producing.set(false);
      producer.join(TimeUnit.SECONDS.toMillis(30));
      // Everything acknowledged arrives, what the dead instance had leased once the lease expires.
      // (Not necessarily acked here: an Ack the dead instance carried out has no answer.)
      long drainLimit = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!deliveries.keySet().containsAll(acknowledged.keySet())
          && System.nanoTime() < drainLimit) {
        Thread.sleep(100); // the consumer thread works meanwhile
      }
      consuming.set(false);
      consumer.join(TimeUnit.SECONDS.toMillis(30));

      List<String> lost = new ArrayList<>();
      for (String id : acknowledged.keySet()) {
        if (!deliveries.containsKey(id)) {
          lost.add(id);
        }
      }
      Map<Status.Code, Integer> inFlight = new EnumMap<>(Status.Code.class);
      Map<Status.Code, Integer> early = new EnumMap<>(Status.Code.class);
      Map<Status.Code, Integer> later = new EnumMap<>(Status.Code.class);
      int redelivered = 0;
      for (Integer n : deliveries.values()) {
        redelivered += n - 1;
      }
      for (Call call : calls) {
        long since = call.startNanos() - kill;
        Map<Status.Code, Integer> bucket =
            since < 0 ? inFlight : since < KILL_GRACE.toNanos() ? early : later;
        if (since >= 0 || call.code() != Status.Code.OK) {
          bucket.merge(call.code(), 1, Integer::sum);
        }
      }
      System.out.printf("[%s] 2 Gateways on PostgreSQL, one killed under load: %d Sends"
              + " acknowledged, %d delivered, %d lost, %d redelivered (lease %d ms); failed calls"
              + " started before the kill: %s; calls started within %d ms after it: %s; later: %s%n",
          broker, acknowledged.size(), deliveries.size(), lost.size(), redelivered, LEASE_MS,
          inFlight, KILL_GRACE.toMillis(), early, later);
      assertTrue(lost.isEmpty(), "acknowledged but never delivered: " + lost);
      assertTrue(duplicatesWithoutRedelivery.isEmpty(),
          "delivered twice without a redelivery: " + duplicatesWithoutRedelivery);
      assertTrue(later.getOrDefault(Status.Code.OK, 0) > 0, "no call started after the grace");
      assertEquals(Map.of(Status.Code.OK, later.get(Status.Code.OK)), later,
          "calls started more than " + KILL_GRACE.toMillis() + " ms after the kill");
      assertEquals(143, b.terminate(), "the survivor stops on SIGTERM (128 + 15)");
    } finally {
      producing.set(false);
      consuming.set(false);
      producerChannel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      consumerChannel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      location.close();
    }
  }

  private static ManagedChannel channel(TestBroker broker, String prefix) {
    return MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).build();
  }

  private static void awaitCount(Map<?, ?> map, int count, Duration within)
      throws InterruptedException {
    long limit = System.nanoTime() + within.toNanos();
    while (map.size() < count) {
      if (System.nanoTime() - limit > 0) {
        throw new AssertionError("only " + map.size() + " of " + count + " within " + within);
      }
      Thread.sleep(20);
    }
  }
}
