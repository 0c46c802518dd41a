package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttMessageHandler;
import io.grpcmqtt.mqtt.MqttTopics;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * A received message handed to its subscription's handler by {@link SubscriptionTable} ({@code
 * table}), against walking the filters in the order made with {@link MqttTopics#matches} ({@code
 * walk}, what the table did before it looked filters without wildcards up in a map), on a
 * channel's subscriptions (a reply) and a server's (a request on its service's filter, a frame on
 * its inbox). The topic is a new string each time, as a decoded one is, so its hash is not cached.
 * Run with {@link Microbenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SubscriptionTableBenchmark {
  @Param({"reply", "request", "inbox"})
  public String received;

  private final Topics topics = new Topics("grpc");
  private SubscriptionTable table;
  private List<SubscriptionTable.Subscription> order;
  private byte[] topic;
  private Blackhole sink;

  @Setup
  public void setUp(Blackhole blackhole) {
    sink = blackhole;
    MqttMessageHandler handler = d -> sink.consume(d);
    table = new SubscriptionTable(false);
    if (received.equals("reply")) {
      table.add(topics.reply("grpcmqttc3cayjzpvnyo8g7"), 1, handler);
      table.add(topics.serverStatusFilter(), 1, handler);
      topic = bytes(topics.reply("grpcmqttc3cayjzpvnyo8g7"));
    } else {
      table.add(topics.inbox("grpcmqtts4kq2mfd0x1"), 1, handler);
      table.add(topics.cancel(), 1, handler);
      table.add(topics.clientStatusFilter(), 1, handler);
      table.add("$share/grpc-mqtt/grpc/grpcmqtt.bench.v1.Bench/+", 1, handler);
      table.add("$share/grpc-mqtt/grpc/_311/grpcmqtt.bench.v1.Bench/+/+", 1, handler);
      topic = bytes(received.equals("inbox") ? topics.inbox("grpcmqtts4kq2mfd0x1")
          : "grpc/grpcmqtt.bench.v1.Bench/Echo");
    }
    order = table.all();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private MqttDelivery delivery() {
    MqttMessage m = ReceivedMessages.of(new String(topic, StandardCharsets.UTF_8), topic, 1, false,
        null, null, null, null, List.of());
    return new MqttDelivery() {
      @Override
      public MqttMessage message() {
        return m;
      }

      @Override
      public void acknowledge() {}
    };
  }

  @Benchmark
  public void table() {
    table.deliver(delivery());
  }

  @Benchmark
  public void walk() {
    MqttDelivery d = delivery();
    String t = d.message().topic();
    for (SubscriptionTable.Subscription s : order) {
      if (MqttTopics.matches(s.filter(), t)) {
        s.handler().onMessage(d);
        d.acknowledge();
        return;
      }
    }
  }
}
