package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpcmqtt.test.v1.Request;
import io.grpcmqtt.testing.TestBroker;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 10,000 generated PUBLISHes, each a valid request mutated at random (payload bytes, properties,
 * reserved user properties including forged chunk headers, topic, content type, correlation
 * data), on every topic a server watches, MQTT 3.1.1 request topics with broken levels included. The server neither crashes nor leaks threads or heap, and still answers a real call.
 * The seed is printed, so a failure can be replayed.
 */
class HostileInputTest {
  private static final int PUBLISHES = 10_000;
  private static final String[] RESERVED = {
    "grpc-seq", "grpc-ctl", "grpc-credit", "grpc-status", "grpc-message", "grpc-timeout",
    "grpc-server", "grpc-call-topic", "grpc-chunk", "grpc-chunk", "x-bin", "x-a-bin", "X-Upper"
  };
  private static final String[] CONTROLS = {
    "open", "accept", "headers", "half-close", "cancel", "credit", "resume", ""
  };
  private static final String[] CONTENT_TYPES = {
    null, "application/json", "application/protobuf", "text/plain", "", "application/json; x=1"
  };

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void tenThousandMutatedPublishesChangeNothing(TestBroker broker) throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    System.out.printf("[%s] hostile input seed %d%n", broker, seed);
    try (Rpc rpc = new Rpc(broker);
        RawMqttClient device = new RawMqttClient(broker.uri())) {
      rpc.warmUp();
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      System.gc();
      long heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      String[] topics = {
        rpc.prefix + "/grpcmqtt.test.v1.TestService/Unary",
        rpc.prefix + "/grpcmqtt.test.v1.TestService/ServerStream",
        rpc.prefix + "/grpcmqtt.test.v1.TestService/ClientStream",
        rpc.prefix + "/grpcmqtt.test.v1.TestService/Bidi",
        rpc.prefix + "/grpcmqtt.test.v1.TestService/Nope",
        rpc.prefix + "/_server/" + rpc.serverId,
        rpc.prefix + "/_cancel",
        rpc.prefix + "/_status/client/" + rpc.channelId + "x",
      };
      // Replies of the MQTT 3.1.1 binding go to topics of their own: drain those too.
      device.client.subscribe(rpc.prefix + "/_311/res/#", 1).waitForCompletion(5_000);
      byte[] valid = Request.newBuilder().setText("hostile").setCount(3).build().toByteArray();
      for (int i = 0; i < PUBLISHES; i++) {
        MqttMessage message = new MqttMessage(mutate(valid, random));
        message.setQos(random.nextInt(4) == 0 ? 0 : 1);
        MqttProperties p = new MqttProperties();
        if (random.nextInt(10) > 0) {
          p.setResponseTopic(device.replyTopic);
        }
        if (random.nextBoolean()) {
          p.setCorrelationData(new byte[] {(byte) random.nextInt(8)});
        }
        String contentType = CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)];
        if (contentType != null) {
          p.setContentType(contentType);
        }
        List<UserProperty> props = new ArrayList<>();
        int count = random.nextInt(5);
        for (int j = 0; j < count; j++) {
          String key = RESERVED[random.nextInt(RESERVED.length)];
          String value =
              key.equals("grpc-ctl")
                  ? CONTROLS[random.nextInt(CONTROLS.length)]
                  : key.equals("grpc-chunk") && random.nextInt(4) > 0
                      ? chunkHeader(random)
                      : random.nextBoolean() ? Integer.toString(random.nextInt(40) - 5) : junk(random);
          props.add(new UserProperty(key, value));
        }
        // Streams opened by junk must still end: give most a short deadline.
        if (random.nextInt(4) > 0) {
          props.add(new UserProperty("grpc-timeout", (1 + random.nextInt(300)) + "m"));
        }
        p.setUserProperties(props);
        message.setProperties(p);
        String topic = random.nextInt(4) == 0
            ? mqtt311Topic(rpc.prefix, topics[random.nextInt(5)], random)
            : topics[random.nextInt(topics.length)];
        device.publishPipelined(topic, message);
      }
      device.awaitPublished();
      // Drain the answers: each is a final status or a protocol control, nothing else.
      int replies = 0;
      MqttMessage reply;
      while ((reply = device.replies.poll(2, TimeUnit.SECONDS)) != null) {
        replies++;
      }
      long mqtt311Replies = device.topics.stream()
          .filter(t -> t.startsWith(rpc.prefix + "/_311/res/")).count();
      assertEquals("still here",
          rpc.blocking().unary(Request.newBuilder().setText("still here").build()).getText());
      System.gc();
      long heapAfter = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
      System.out.printf(
          "[%s] %d hostile publishes, %d replies (%d to MQTT 3.1.1 callers); threads %d -> %d;"
              + " heap %d -> %d MiB%n",
          broker, PUBLISHES, replies, mqtt311Replies, threadsBefore, threadsAfter, heapBefore >> 20,
          heapAfter >> 20);
      assertTrue(replies > 0);
      assertTrue(mqtt311Replies > 0, "no reply to an MQTT 3.1.1 request");
      assertTrue(threadsAfter <= threadsBefore + 16, "threads grew to " + threadsAfter);
      assertTrue(heapAfter - heapBefore < 64L * 1024 * 1024, "heap grew by "
          + ((heapAfter - heapBefore) >> 20) + " MiB");
    }
  }

  private static byte[] mutate(byte[] valid, Random random) {
    switch (random.nextInt(5)) {
      case 0:
        return valid;
      case 1:
        byte[] flipped = valid.clone();
        flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
        return flipped;
      case 2:
        return java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
      case 3:
        byte[] noise = new byte[random.nextInt(256)];
        random.nextBytes(noise);
        return noise;
      default:
        return ("{\"text\":" + junk(random) + "}").getBytes(StandardCharsets.UTF_8);
    }
  }

  /**
   * A 3.1.1 request topic for {@code method} with each level valid, empty, junk, too long or
   * missing; its reply references are few, so their per-caller limits and replies are exercised.
   */
  private static String mqtt311Topic(String prefix, String method, Random random) {
    String[] refs = {"d1", "d2", "", "r".repeat(129), topicJunk(random)};
    String[] ids = {"1", "2", Integer.toString(random.nextInt(50)), "", "i".repeat(65), topicJunk(random)};
    String[] options = {"-", "", "json", "pb", "json,pb", "json,1m", "5S,pb", "5x", "1S,2S", topicJunk(random)};
    String[] tails = {method, method, "", prefix + "/_reply/x", "things/1", topicJunk(random)};
    String topic = prefix + "/_311/req/" + refs[random.nextInt(refs.length)] + "/"
        + ids[random.nextInt(ids.length)] + "/" + options[random.nextInt(options.length)] + "/"
        + tails[random.nextInt(tails.length)];
    // Now and then cut short, anywhere after the fixed levels.
    int start = (prefix + "/_311/req/").length();
    return random.nextInt(8) == 0 ? topic.substring(0, start + random.nextInt(topic.length() - start + 1)) : topic;
  }

  /** Printable junk that Paho still takes as a topic name: no wildcards. */
  private static String topicJunk(Random random) {
    return junk(random).replace('+', 'p').replace('#', 'h');
  }

  /** Mostly plausible chunk headers: some consistent, some contradicting, some huge. */
  private static String chunkHeader(Random random) {
    int count = 1 + random.nextInt(4);
    int size = random.nextInt(8) == 0 ? Integer.MAX_VALUE - random.nextInt(10) : count + random.nextInt(300);
    return random.nextInt(count + 1) + "/" + count + "/" + size;
  }

  private static String junk(Random random) {
    StringBuilder s = new StringBuilder();
    int length = random.nextInt(12);
    for (int i = 0; i < length; i++) {
      s.append((char) (0x20 + random.nextInt(0x5f)));
    }
    return s.toString();
  }
}
