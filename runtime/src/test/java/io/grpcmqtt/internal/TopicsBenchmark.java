package io.grpcmqtt.internal;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Routing a received topic of the default layout {@code {prefix}/{Service}/{Method}} to its method
 * ({@link Topics#methodOf}); mapped topic templates are the bench module's TopicTemplateBenchmark.
 * Run with {@link Microbenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TopicsBenchmark {
  private final Topics topics = new Topics("grpc");

  @Benchmark
  public String defaultMethodOfTopic() {
    return topics.methodOf("grpc/grpcmqtt.bench.v1.Bench/Echo");
  }
}
