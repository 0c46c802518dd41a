package io.grpcmqtt;

import io.grpcmqtt.testing.Brokers;
import io.grpcmqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How HiveMQ CE hands out a shared group's requests while one member holds requests it has not
 * acknowledged, as a frozen server does until the broker drops it, with plain Paho clients (the
 * silent member uses manual acknowledgement and never acknowledges). A measurement for
 * docs/operations.md §9, not a check, so it runs only when asked: {@code -Dgrpcmqtt.measure=true}.
 * HiveMQ CE only: Mosquitto has no group queue; it sends each request to a member in turn.
 */
@EnabledIfSystemProperty(named = "grpcmqtt.measure", matches = "true")
class SharedGroupHoldBackTest {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private final TestBroker broker = Brokers.hivemq();
  private final List<MqttAsyncClient> clients = new ArrayList<>();

  /**
   * One request at a time (3 s expiry, 4 s wait each) to a group of an echoing member and a
   * silent one; the silent one's connection is dropped halfway.
   */
  @Test
  void aSilentMemberHoldsTheGroupBack() throws Exception {
    String t = topic();
    BlockingQueue<String> answers = requester(t);
    echo(t);
    member(t, true);
    MqttAsyncClient silent = clients.get(clients.size() - 1);
    int before = 0;
    int after = 0;
    for (int i = 0; i < 30; i++) {
      if (i == 15) {
        silent.disconnectForcibly(0, 0, false); // as the broker drops a frozen instance
      }
      publish(t, "r" + i, 3);
      if (answers.poll(4, TimeUnit.SECONDS) != null) {
        if (i < 15) {
          before++;
        } else {
          after++;
        }
      }
      answers.clear();
    }
    System.out.printf("[%s] a member that never acknowledges holds its group back: one request at"
            + " a time, answered by the other member: %d of 15 while it was connected, %d of 15"
            + " after its connection dropped%n", broker, before, after);
    close();
  }

  /**
   * 40 requests with a 1 s expiry wait behind a silent member; it is dropped when they are 1.000
   * to 1.056 s old, in 4 ms steps, so that they are handed to the echoing member as their expiry
   * runs out. Then: does that member still get requests of its group?
   */
  @Test
  void aRequestHandedOutAsItExpiresStopsTheGroupForThatMember() throws Exception {
    int starved = 0;
    StringBuilder trials = new StringBuilder();
    for (int trial = 0; trial < 30; trial++) {
      String t = topic();
      BlockingQueue<String> answers = requester(t);
      MqttAsyncClient silent = member(t, true);
      publish(t, "held", 30); // the silent member takes it and holds it
      Thread.sleep(300);
      echo(t);
      long delayMillis = 1_000 + (trial % 15) * 4;
      long start = System.nanoTime();
      for (int k = 0; k < 40; k++) {
        publish(t, "aging" + k, 1);
      }
      Thread.sleep(Math.max(0, delayMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
      silent.disconnectForcibly(0, 0, false);
      Thread.sleep(200);
      answers.clear();
      int answered = answered(t, answers, "later");
      String again = "";
      if (answered == 0) {
        starved++;
        Thread.sleep(8_000);
        again = "(" + answered(t, answers, "again") + " 10 s later)";
      }
      trials.append(trial == 0 ? "" : ", ").append(answered).append(again);
      close();
    }
    System.out.printf("[%s] 40 requests with a 1 s expiry handed out as it runs out: the member they"
            + " went to then answered none of 3 later requests (2 s each) in %d of 30 trials;"
            + " answered per trial: %s%n", broker, starved, trials);
  }

  private int answered(String t, BlockingQueue<String> answers, String name) throws Exception {
    int answered = 0;
    for (int i = 0; i < 3; i++) {
      publish(t, name + i, 5);
      if (answers.poll(2, TimeUnit.SECONDS) != null) {
        answered++;
      }
    }
    return answered;
  }

  private static String topic() {
    return "holdback" + ProcessHandle.current().pid() + "x" + COUNTER.incrementAndGet();
  }

  private BlockingQueue<String> requester(String t) throws Exception {
    BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    MqttAsyncClient c = client(t + "p", false,
        (self, topic, m) -> answers.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
    c.subscribe(t + "/reply", 1).waitForCompletion(5_000);
    return answers;
  }

  private void echo(String t) throws Exception {
    MqttAsyncClient c = client(t + "a", false, (self, topic, m) -> {
      MqttMessage r = new MqttMessage(m.getPayload());
      r.setQos(1);
      self.publish(t + "/reply", r);
    });
    c.subscribe("$share/g/" + t + "/req/+", 1).waitForCompletion(5_000);
  }

  private MqttAsyncClient member(String t, boolean silent) throws Exception {
    MqttAsyncClient c = client(t + "s", silent, (self, topic, m) -> {});
    c.subscribe("$share/g/" + t + "/req/+", 1).waitForCompletion(5_000);
    return c;
  }

  private void publish(String t, String text, long expirySeconds) throws MqttException {
    MqttMessage m = new MqttMessage(text.getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    MqttProperties p = new MqttProperties();
    p.setMessageExpiryInterval(expirySeconds);
    m.setProperties(p);
    clients.get(0).publish(t + "/req/x", m).waitForCompletion(5_000);
  }

  private void close() {
    for (MqttAsyncClient c : clients) {
      try {
        c.disconnectForcibly(100, 100, true);
        c.close();
      } catch (MqttException e) {
        // already gone
      }
    }
    clients.clear();
  }

  /** A clean-start client; {@code manualAcks}: it acknowledges nothing it receives. */
  private MqttAsyncClient client(String id, boolean manualAcks, RawPahoClients.OnMessage on)
      throws Exception {
    MqttAsyncClient c = RawPahoClients.connect(broker.uri(), id, manualAcks, on);
    clients.add(c);
    return c;
  }
}
