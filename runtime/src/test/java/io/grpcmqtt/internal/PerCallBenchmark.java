package io.grpcmqtt.internal;

import io.grpc.Metadata;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Small pieces of grpc-mqtt's own work on every unary call, with {@code -prof gc} for the bytes
 * they allocate: the server's duplicate check and its memory of the finished call ({@code
 * RecentCalls} full at its 10,000 entries, as under load), a client call's headers turned into
 * user properties (grpc-java puts only reserved names there), and the check of a request's
 * strings. Run with {@link Microbenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PerCallBenchmark {
  private static final String REPLY = "grpc/_reply/grpcmqttc3cayjzpvnyo8g7";
  private static final long TTL = TimeUnit.SECONDS.toNanos(40);
  private final RecentCalls recent = new RecentCalls(10_000, 16L * 1024 * 1024);
  private long nextCall = 0x1234_5678_9abc_def0L;
  private final Metadata clientHeaders = new Metadata();
  private final List<MqttUserProperty> requestProperties = List.of(
      new MqttUserProperty("grpc-timeout", "9897766u"));

  @Setup
  public void setUp() {
    for (int i = 0; i < 10_000; i++) {
      recent.remember(nextKey(), null, TTL);
    }
    clientHeaders.put(
        Metadata.Key.of("grpc-accept-encoding", Metadata.ASCII_STRING_MARSHALLER), "gzip");
  }

  private CallKey nextKey() {
    return new CallKey(REPLY, ByteBuffer.allocate(8).putLong(nextCall++).array());
  }

  /** A new request looked up (not a duplicate), then its call remembered once it ended. */
  @Benchmark
  public boolean recentCalls() {
    CallKey key = nextKey();
    boolean seen = recent.lookup(key) != null;
    recent.remember(key, null, TTL);
    return seen;
  }

  @Benchmark
  public List<MqttUserProperty> clientHeaders() {
    List<MqttUserProperty> out = new ArrayList<>(4);
    Wire.putMetadata(out, clientHeaders);
    return out;
  }

  /** The strings of a received request, checked once. */
  @Benchmark
  public boolean isClean() {
    boolean clean = MqttStrings.isClean("grpc/grpcmqtt.bench.v1.Bench/Echo")
        && MqttStrings.isClean(REPLY);
    for (MqttUserProperty p : requestProperties) {
      clean &= MqttStrings.isClean(p.name()) && MqttStrings.isClean(p.value());
    }
    return clean;
  }
}
