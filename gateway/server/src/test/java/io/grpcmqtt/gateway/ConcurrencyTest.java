package io.grpcmqtt.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.gateway.store.MessageStore;
import io.grpcmqtt.gateway.v1.AckRequest;
import io.grpcmqtt.gateway.v1.AckResponse;
import io.grpcmqtt.gateway.v1.Message;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import io.grpcmqtt.gateway.v1.ReceiveResponse;
import io.grpcmqtt.gateway.v1.RobustMQGatewayGrpc;
import io.grpcmqtt.gateway.v1.SendRequest;
import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 4 producers and 4 consumers (two polling with Receive, two on ReceiveStream) move 10,000
 * messages through one queue, each party on a grpc-mqtt channel of its own through the embedded
 * broker. On PostgreSQL two Gateway instances serve the queue (shared subscription + shared
 * store). Nothing may be lost, every message is acknowledged exactly once, and a message is only
 * ever delivered twice as a redelivery (delivery_count above 1).
 */
class ConcurrencyTest {
  private static final int PRODUCERS = 4;
  private static final int CONSUMERS = 4;
  private static final int MESSAGES = 10_000;
  private static final int WINDOW = 16;
  private static final Duration TIME_LIMIT = Duration.ofSeconds(150);

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.gateway.StoreKind#both")
  void fourProducersFourConsumersTenThousandMessages(StoreKind kind) throws Exception {
    TestBroker broker = Brokers.hivemq();
    String prefix = "conc" + ProcessHandle.current().pid() + kind;
    String topic = "load/" + prefix;
    int instances = kind == StoreKind.POSTGRES ? 2 : 1;
    List<ManagedChannel> channels = new ArrayList<>();
    List<Gateway> gateways = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(PRODUCERS + CONSUMERS);
    try (StoreKind.Location location = kind.newLocation()) {
      for (int i = 0; i < instances; i++) {
        gateways.add(Gateway.start(GatewayConfig.builder(broker.uri()).deployment(prefix).rpcTopicPrefix(prefix)
            .pollInterval(Duration.ofMillis(200)).build(), location.open()));
      }
      for (int i = 0; i < PRODUCERS + CONSUMERS; i++) {
        channels.add(MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix).build());
      }
      Ledger ledger = new Ledger();
      long t0 = System.nanoTime();

      List<Future<?>> producers = new ArrayList<>();
      for (int p = 0; p < PRODUCERS; p++) {
        int producer = p;
        producers.add(threads.submit(() -> produce(channels.get(producer), topic, producer, ledger)));
      }
      AtomicBoolean stop = new AtomicBoolean();
      List<Future<?>> consumers = new ArrayList<>();
      for (int c = 0; c < CONSUMERS; c++) {
        ManagedChannel ch = channels.get(PRODUCERS + c);
        // The first consumer "crashes" on every 100th message it gets: no ack, a 2 s lease, so
        // redelivery is part of the load too.
        int forgetEvery = c == 0 ? 100 : 0;
        int leaseMs = c == 0 ? 2_000 : 60_000;
        consumers.add(threads.submit(c % 2 == 0
            ? () -> pollAndAck(ch, topic, ledger, stop, forgetEvery, leaseMs)
            : () -> streamAndAck(ch, topic, ledger, stop)));
      }
      for (Future<?> f : producers) {
        f.get(TIME_LIMIT.toSeconds(), TimeUnit.SECONDS);
      }
      assertTrue(ledger.allAcked.await(TIME_LIMIT.toSeconds(), TimeUnit.SECONDS),
          "acked " + ledger.ackedOnce.size() + " of " + MESSAGES + " within " + TIME_LIMIT);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      stop.set(true);
      for (Future<?> f : consumers) {
        f.get(30, TimeUnit.SECONDS);
      }

      assertEquals(MESSAGES, ledger.sent.size(), "acknowledged sends");
      assertEquals(ledger.sent.keySet(), ledger.ackedOnce.keySet(), "every sent message acked");
      assertEquals(List.of(), List.copyOf(ledger.problems));
      assertTrue(ledger.forgotten.size() > 0, "the test meant to leave some messages unacked");
      assertTrue(ledger.redelivered.containsAll(ledger.forgotten), "every unacked message came back");
      ledger.deliveries.forEach((id, count) -> {
        if (count.get() > 1) {
          assertTrue(ledger.redelivered.contains(id), "message " + id + " delivered twice without redelivery");
        }
      });
      try (MessageStore check = location.open()) {
        assertEquals(0, check.count(topic), "messages left in the queue");
      }
      System.out.printf("%s: %d messages, %d producers, %d consumers, %d instance(s): %d ms, %d redelivered%n",
          kind, MESSAGES, PRODUCERS, CONSUMERS, instances, ms, ledger.redelivered.size());
    } finally {
      threads.shutdownNow();
      channels.forEach(ManagedChannel::shutdownNow);
      gateways.forEach(Gateway::close);
    }
  }

  /** What happened to every message, keyed by msg_id. */
  private static final class Ledger {
    final Map<String, String> sent = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    final Set<String> redelivered = ConcurrentHashMap.newKeySet();
    final Set<String> forgotten = ConcurrentHashMap.newKeySet();
    final Map<String, Boolean> ackedOnce = new ConcurrentHashMap<>();
    final Queue<String> problems = new ConcurrentLinkedQueue<>();
    final CountDownLatch allAcked = new CountDownLatch(MESSAGES);

    void delivered(Message m) {
      deliveries.computeIfAbsent(m.getMsgId(), k -> new AtomicInteger()).incrementAndGet();
      if (m.getDeliveryCount() > 1) {
        redelivered.add(m.getMsgId());
      }
    }

    void acked(String id) {
      if (ackedOnce.put(id, true) != null) {
        problems.add("message " + id + " acknowledged twice");
      } else {
        allAcked.countDown();
      }
    }

    void ackFailed(String id, Throwable t) {
      // NOT_FOUND is fine for a message that was redelivered and acked by its other consumer.
      if (Status.fromThrowable(t).getCode() != Status.Code.NOT_FOUND || !redelivered.contains(id)) {
        problems.add("ack of " + id + " failed: " + t);
      }
    }
  }

  private static void produce(ManagedChannel channel, String topic, int producer, Ledger ledger) {
    var stub = RobustMQGatewayGrpc.newFutureStub(channel);
    Semaphore window = new Semaphore(WINDOW);
    AtomicInteger failures = new AtomicInteger();
    for (int i = 0; i < MESSAGES / PRODUCERS; i++) {
      window.acquireUninterruptibly();
      String payload = "p" + producer + "-" + i;
      Futures.addCallback(stub.withDeadlineAfter(60, TimeUnit.SECONDS).send(SendRequest.newBuilder()
              .setTopic(topic).setPayload(ByteString.copyFromUtf8(payload)).build()),
          new FutureCallback<>() {
            @Override
            public void onSuccess(io.grpcmqtt.gateway.v1.SendResponse r) {
              ledger.sent.put(r.getMsgId(), payload);
              window.release();
            }

            @Override
            public void onFailure(Throwable t) {
              ledger.problems.add("send of " + payload + " failed: " + t);
              failures.incrementAndGet();
              window.release();
            }
          }, MoreExecutors.directExecutor());
    }
    window.acquireUninterruptibly(WINDOW);
  }

  private static void ack(RobustMQGatewayGrpc.RobustMQGatewayFutureStub stub, String topic, Message m,
      Ledger ledger, Semaphore window) {
    window.acquireUninterruptibly();
    Futures.addCallback(stub.withDeadlineAfter(60, TimeUnit.SECONDS)
            .ack(AckRequest.newBuilder().setTopic(topic).setMsgId(m.getMsgId()).build()),
        new FutureCallback<>() {
          @Override
          public void onSuccess(AckResponse r) {
            ledger.acked(m.getMsgId());
            window.release();
          }

          @Override
          public void onFailure(Throwable t) {
            ledger.ackFailed(m.getMsgId(), t);
            window.release();
          }
        }, MoreExecutors.directExecutor());
  }

  private static void pollAndAck(ManagedChannel channel, String topic, Ledger ledger, AtomicBoolean stop,
      int forgetEvery, int leaseMs) {
    var blocking = RobustMQGatewayGrpc.newBlockingStub(channel);
    var future = RobustMQGatewayGrpc.newFutureStub(channel);
    Semaphore window = new Semaphore(WINDOW);
    int received = 0;
    while (!stop.get()) {
      ReceiveResponse r = blocking.withDeadlineAfter(30, TimeUnit.SECONDS).receive(ReceiveRequest.newBuilder()
          .setTopic(topic).setLimit(50).setMaxWaitMs(1_000).setVisibilityTimeoutMs(leaseMs).build());
      for (Message m : r.getMessagesList()) {
        ledger.delivered(m);
        if (forgetEvery > 0 && m.getDeliveryCount() == 1 && ++received % forgetEvery == 0) {
          ledger.forgotten.add(m.getMsgId());
          continue;
        }
        ack(future, topic, m, ledger, window);
      }
    }
    window.acquireUninterruptibly(WINDOW);
  }

  private static void streamAndAck(ManagedChannel channel, String topic, Ledger ledger, AtomicBoolean stop) {
    var async = RobustMQGatewayGrpc.newStub(channel);
    var future = RobustMQGatewayGrpc.newFutureStub(channel);
    Semaphore window = new Semaphore(WINDOW);
    CountDownLatch ended = new CountDownLatch(1);
    var call = new io.grpc.stub.ClientResponseObserver<ReceiveRequest, Message>() {
      volatile io.grpc.stub.ClientCallStreamObserver<ReceiveRequest> stream;

      @Override
      public void beforeStart(io.grpc.stub.ClientCallStreamObserver<ReceiveRequest> s) {
        stream = s;
      }

      @Override
      public void onNext(Message m) {
        ledger.delivered(m);
        ack(future, topic, m, ledger, window);
      }

      @Override
      public void onError(Throwable t) {
        if (!stop.get()) {
          ledger.problems.add("stream failed: " + t);
        }
        ended.countDown();
      }

      @Override
      public void onCompleted() {
        ended.countDown();
      }
    };
    async.withDeadlineAfter(TIME_LIMIT.toSeconds() + 30, TimeUnit.SECONDS).receiveStream(
        ReceiveRequest.newBuilder().setTopic(topic).setLimit(50).setVisibilityTimeoutMs(60_000).build(), call);
    while (!stop.get()) {
      try {
        if (ended.await(100, TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (call.stream != null) {
      call.stream.cancel("done", null);
    }
    window.acquireUninterruptibly(WINDOW);
  }
}
