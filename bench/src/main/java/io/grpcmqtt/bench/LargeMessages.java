package io.grpcmqtt.bench;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code large} scenario: messages larger than the broker's packet cap, which grpc-mqtt sends
 * in chunks (docs/protocol.md §7.7), against the floor of publishing the same bytes in packets as
 * large as the cap allows. A 10 MiB unary Echo (10 MiB each way, one call at a time) and a server
 * stream of 1 MiB messages, both at QoS 1.
 */
final class LargeMessages {
  private static final Logger log = LoggerFactory.getLogger(LargeMessages.class);
  static final int UNARY_BYTES = 10 * 1024 * 1024;
  static final int STREAM_BYTES = 1024 * 1024;
  /** Messages a stream may run ahead of its reader, for grpc-mqtt and the floor alike. */
  static final int WINDOW = 16;
  /** At least this long per measurement: a 10 MiB call takes a good part of a second. */
  private static final long MIN_MEASURE_NANOS = 10_000_000_000L;
  private static final long MIN_WARMUP_NANOS = 2_000_000_000L;

  private LargeMessages() {}

  static void run(BenchBroker broker, Options o, List<Result> results) throws Exception {
    String uri = broker.uri();
    long measure = Math.max(o.measureNanos(), MIN_MEASURE_NANOS);
    long warmup = Math.max(o.warmupNanos(), MIN_WARMUP_NANOS);
    String note = "max packet " + o.maxPacketSize;
    try (RawChunkedEcho floor = new RawChunkedEcho(uri, UNARY_BYTES, o.maxPacketSize);
        GrpcEndpoint mqtt = GrpcEndpoint.mqttLarge(uri, UNARY_BYTES + 1024 * 1024, WINDOW)) {
      // Floor and grpc-mqtt back to back, each repetition, so both see the same machine state.
      for (int rep = 0; rep < o.repeat; rep++) {
        if (o.impls.contains("floor")) {
          log.info("{}: large unary floor, {} B in packets of at most {} B", broker.name(),
              UNARY_BYTES, o.maxPacketSize);
          unary(results, broker, "floor", note,
              new ClosedLoop(floor.call(), 1, warmup, measure, o.maxCalls).run());
        }
        if (o.impls.contains("grpc-mqtt")) {
          log.info("{}: large unary grpc-mqtt, {} B", broker.name(), UNARY_BYTES);
          unary(results, broker, "grpc-mqtt", note, new ClosedLoop(
              GrpcScenarios.unary(mqtt, UNARY_BYTES), 1, warmup, measure, o.maxCalls).run());
        }
      }
      for (int rep = 0; rep < o.repeat; rep++) {
        if (o.impls.contains("floor")) {
          log.info("{}: large pub/sub floor, {} B messages", broker.name(), STREAM_BYTES);
          int packet = o.maxPacketSize - RawChunkedEcho.overhead(64);
          double[] raw = RawPubSubRate.run(RawMqtt.Library.PAHO, uri, 1, STREAM_BYTES, packet, WINDOW, warmup, measure,
              o.maxCalls);
          results.add(Result.builder(broker.name(), "large-pubsub", "floor").qos(1)
              .payload(STREAM_BYTES).rate(raw[0], Math.round(raw[0] * measure / 1e9))
              .errors((long) raw[1]).note(note).build());
        }
        if (o.impls.contains("grpc-mqtt")) {
          log.info("{}: large server stream grpc-mqtt, {} B messages", broker.name(),
              STREAM_BYTES);
          double rate = GrpcScenarios.serverStreaming(mqtt, STREAM_BYTES, warmup, measure,
              o.maxCalls);
          results.add(Result.builder(broker.name(), "large-stream", "grpc-mqtt").qos(1)
              .payload(STREAM_BYTES).rate(rate, Math.round(rate * measure / 1e9)).note(note)
              .build());
        }
      }
    }
  }

  private static void unary(List<Result> results, BenchBroker broker, String impl, String note,
      ClosedLoop.Outcome out) {
    String n = out.firstError == null ? note : note + "; first error: " + out.firstError;
    results.add(Result.builder(broker.name(), "large-unary", impl).qos(1).concurrency(1)
        .payload(UNARY_BYTES).latency(out.latency).throughput(out.throughputPerSec)
        .errors(out.errors).note(n).build());
  }
}
