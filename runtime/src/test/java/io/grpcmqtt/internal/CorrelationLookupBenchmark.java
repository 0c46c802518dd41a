package io.grpcmqtt.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
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
 * How a channel finds the call a reply belongs to: 8 bytes of correlation data read as a long and
 * looked up in a {@code ConcurrentHashMap<Long, stream>}, as MqttClientTransport does; and the
 * server's lookup of a continuation frame by (response topic, correlation) {@link CallKey}. Run
 * with {@link Microbenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CorrelationLookupBenchmark {
  /** Calls open on the connection. */
  @Param({"32", "10000"})
  public int openCalls;

  private final ConcurrentHashMap<Long, Object> streams = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<CallKey, Object> serverCalls = new ConcurrentHashMap<>();
  private byte[][] correlations;
  private String replyTopic;
  private int next;

  @Setup
  public void setUp() {
    long base = 0x5DEECE66DL * 1_000_003L;
    correlations = new byte[openCalls][];
    replyTopic = "grpc/_reply/grpc-mqtt-c-abcdefabcdef";
    for (int i = 0; i < openCalls; i++) {
      long id = base + i;
      Object stream = new Object();
      streams.put(id, stream);
      correlations[i] = ByteBuffer.allocate(8).putLong(id).array();
      serverCalls.put(new CallKey(replyTopic, correlations[i]), stream);
    }
  }

  private byte[] nextCorrelation() {
    int i = next;
    next = i + 1 == correlations.length ? 0 : i + 1;
    return correlations[i];
  }

  /** MqttClientTransport.messageArrived's lookup. */
  @Benchmark
  public Object clientLookup() {
    byte[] corr = nextCorrelation();
    return corr.length == 8 ? streams.get(ByteBuffer.wrap(corr).getLong()) : null;
  }

  /** MqttServerTransport.find's lookup of a continuation frame. */
  @Benchmark
  public Object serverLookup() {
    return serverCalls.get(new CallKey(replyTopic, nextCorrelation()));
  }
}
