package io.grpcmqtt.internal;

import io.grpc.Metadata;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.ArrayList;
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
 * The property codec of every PUBLISH: a received frame's properties decoded ({@link Frame}) and
 * turned into gRPC {@link Metadata} ({@link Wire#toMetadata}), and outgoing metadata turned into
 * user properties ({@link Wire#putMetadata}). Run with {@link Microbenchmarks}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WireBenchmark {
  /** User metadata entries besides the wire contract's own properties. */
  @Param({"0", "4"})
  public int userEntries;

  private List<MqttUserProperty> requestProps;
  private MqttMessage request;
  private Metadata headers;

  @Setup
  public void setUp() {
    requestProps = new ArrayList<>();
    requestProps.add(new MqttUserProperty(Wire.TIMEOUT, "29999876u"));
    headers = new Metadata();
    for (int i = 0; i < userEntries; i++) {
      if (i % 2 == 0) {
        requestProps.add(new MqttUserProperty("x-header-" + i, "value-" + i));
        headers.put(Metadata.Key.of("x-header-" + i, Metadata.ASCII_STRING_MARSHALLER),
            "value-" + i);
      } else {
        requestProps.add(new MqttUserProperty("x-trace-" + i + "-bin", "AAECAwQFBgcICQ"));
        headers.put(Metadata.Key.of("x-trace-" + i + "-bin", Metadata.BINARY_BYTE_MARSHALLER),
            new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
      }
    }
    request = MqttMessage.builder("grpc/grpcmqtt.bench.v1.Bench/Echo")
        .payload(new byte[64])
        .responseTopic("grpc/_reply/grpc-mqtt-c-abcdefabcdef")
        .correlationData(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})
        .messageExpirySeconds(30L)
        .userProperties(requestProps)
        .build();
  }

  /** What the server's callback thread does with each request's properties. */
  @Benchmark
  public Frame frameDecode() {
    return Frame.decode(request);
  }

  @Benchmark
  public Metadata toMetadata() {
    return Wire.toMetadata(requestProps, 0, requestProps.size());
  }

  @Benchmark
  public List<MqttUserProperty> putMetadata() {
    List<MqttUserProperty> out = new ArrayList<>(userEntries + 2);
    Wire.putMetadata(out, headers);
    return out;
  }
}
