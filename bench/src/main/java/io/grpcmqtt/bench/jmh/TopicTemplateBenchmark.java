package io.grpcmqtt.bench.jmh;

import io.grpcmqtt.mapper.template.TopicTemplate;
import java.util.Map;
import java.util.Optional;
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
 * Routing a received topic to a method with a mapped topic template (mapper). The runtime's default
 * {@code {prefix}/{Service}/{Method}} split is measured by the runtime's own TopicsBenchmark.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TopicTemplateBenchmark {
  private final TopicTemplate literalAndVariable =
      TopicTemplate.parse("devices/{device_id}/commands/{command}");
  private final TopicTemplate multiLevel = TopicTemplate.parse("gateway/send/{topic=**}");

  @Benchmark
  public Optional<Map<String, String>> matchSingleLevelVariables() {
    return literalAndVariable.match("devices/sensor-0042/commands/reboot");
  }

  @Benchmark
  public Optional<Map<String, String>> matchMultiLevelVariable() {
    return multiLevel.match("gateway/send/sensors/building-7/floor-3/room-12");
  }

  @Benchmark
  public Optional<Map<String, String>> noMatch() {
    return literalAndVariable.match("devices/sensor-0042/telemetry/temperature");
  }
}
