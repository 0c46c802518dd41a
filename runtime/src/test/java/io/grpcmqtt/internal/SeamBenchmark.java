package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttTopics;
import io.grpcmqtt.mqtt.MqttUserProperty;
import io.grpcmqtt.mqtt.SplitTopicMatcher;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The public seam's cost per PUBLISH (docs/architecture.md §5): a unary request turned into an
 * {@link MqttMessage} and read back for the client library ({@code send*}), a received one made
 * an {@link MqttMessage} and read back for {@code Frame.decode} ({@code receive*}), and a received reply topic matched against a channel's
 * filters ({@code match*}). Each {@code *Before} does what the runtime did before issue 18's perf
 * round (copies through the public API, the strings checked twice, {@code String.split}), for
 * comparison in the same run. Run with {@link Microbenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SeamBenchmark {
  @Param({"64", "16384"})
  public int payloadBytes;

  private static final String TOPIC = "grpc/grpcmqtt.bench.v1.Bench/Echo";
  private static final String REPLY = "grpc/_reply/grpcmqttc3cayjzpvnyo8g7";
  private static final List<String> FILTERS = List.of("grpc/_inbox/grpcmqttc3cayjzpvnyo8g7/#",
      "grpc/_status/server/+", REPLY);
  private byte[] payload;
  private final byte[] correlation = {0, 0, 0, 0, 0, 0, 0, 42};
  private PublishProperties properties;
  private MqttMessage received;

  @Setup
  public void setUp() {
    payload = new byte[payloadBytes];
    properties = Publishes.properties(REPLY, correlation, null,
        Publishes.single("grpc-timeout", "9897766u"));
    properties.setMessageExpiryInterval(10L);
    received = ReceivedMessages.of(TOPIC, payload, 1, false, REPLY, correlation, null, 10L,
        List.of(new MqttUserProperty("grpc-timeout", "9897766u")));
  }

  @Benchmark
  public int sendBefore() {
    if (MqttStringsBefore.findRefused(TOPIC, properties) != null) {
      throw new AssertionError();
    }
    MqttMessage m = MqttMessage.builder(TOPIC).payload(payload).qos(1)
        .responseTopic(properties.getResponseTopic())
        .correlationData(properties.getCorrelationData())
        .messageExpirySeconds(properties.getMessageExpiryInterval())
        .userProperties(properties.getUserProperties()).build();
    return m.payload().length + m.correlationData().length;
  }

  @Benchmark
  public int sendNow() {
    MqttMessage m = MqttMessageAccess.builder(TOPIC, payload, properties.getCorrelationData())
        .qos(1)
        .responseTopic(properties.getResponseTopic())
        .messageExpirySeconds(properties.getMessageExpiryInterval())
        .userProperties(properties.getUserProperties()).build();
    return MqttMessageAccess.payload(m).length + MqttMessageAccess.correlationData(m).length;
  }

  @Benchmark
  public int receiveBefore() {
    MqttMessage m = MqttMessage.builder(TOPIC).payload(payload).qos(1).responseTopic(REPLY)
        .correlationData(correlation).messageExpirySeconds(10L)
        .userProperties(received.userProperties()).build();
    return m.payload().length + m.correlationData().length;
  }

  @Benchmark
  public int receiveNow() {
    MqttMessage m = ReceivedMessages.of(TOPIC, payload, 1, false, REPLY, correlation, null, 10L,
        received.userProperties());
    return MqttMessageAccess.payload(m).length + MqttMessageAccess.correlationData(m).length;
  }

  @Benchmark
  public boolean matchBefore() {
    for (String f : FILTERS) {
      if (SplitTopicMatcher.matches(f, REPLY)) {
        return true;
      }
    }
    return false;
  }

  @Benchmark
  public boolean matchNow() {
    for (String f : FILTERS) {
      if (MqttTopics.matches(f, REPLY)) {
        return true;
      }
    }
    return false;
  }

  /** The check TransportConnection.publish made before MqttMessage.Builder.build(). */
  private static final class MqttStringsBefore {
    static String findRefused(String topic, PublishProperties p) {
      if (!MqttStrings.isClean(topic) || !MqttStrings.isClean(p.getResponseTopic())
          || !MqttStrings.isClean(p.getContentType())) {
        return "string";
      }
      for (MqttUserProperty u : p.getUserProperties()) {
        if (!MqttStrings.isClean(u.name()) || !MqttStrings.isClean(u.value())) {
          return "user property";
        }
      }
      return null;
    }
  }
}
