package io.grpcmqtt.interop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.opentelemetry.GrpcOpenTelemetry;
import io.grpc.opentelemetry.InternalGrpcOpenTelemetry;
import io.grpcmqtt.MqttChannelBuilder;
import io.grpcmqtt.MqttServerBuilder;
import io.grpcmqtt.interop.proto.EchoStatus;
import io.grpcmqtt.interop.proto.SimpleRequest;
import io.grpcmqtt.interop.proto.TestServiceGrpc;
import io.grpcmqtt.testing.TestBroker;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * grpc-java's OpenTelemetry module on both ends of MQTT calls, read with the SDK's in-memory
 * exporter and reader: a failed call is recorded with its code on the client and on the server
 * (metrics and spans), message sizes are the messages' sizes, and the trace continues from the
 * client's span into the server's across the broker.
 */
class OpenTelemetryTest {
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("grpc.method");
  private static final AttributeKey<String> STATUS = AttributeKey.stringKey("grpc.status");
  private static final String UNARY = "grpc.testing.TestService/UnaryCall";

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void bothEndsRecordTheTrueStatusAndSizes(TestBroker broker) throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    InMemoryMetricReader metrics = InMemoryMetricReader.create();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    GrpcOpenTelemetry.Builder otelBuilder = GrpcOpenTelemetry.newBuilder().sdk(sdk);
    // Tracing is experimental in grpc-java 1.83 (also: GRPC_EXPERIMENTAL_ENABLE_OTEL_TRACING=true).
    InternalGrpcOpenTelemetry.enableTracing(otelBuilder, true);
    GrpcOpenTelemetry otel = otelBuilder.build();

    String prefix = "otel" + ProcessHandle.current().pid() + broker.name();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    MqttServerBuilder serverBuilder = MqttServerBuilder.forBroker(broker.uri())
        .topicPrefix(prefix).addService(new InteropService(timer));
    otel.configureServerBuilder(serverBuilder);
    Server server = serverBuilder.build().start();
    MqttChannelBuilder channelBuilder = MqttChannelBuilder.forBroker(broker.uri()).topicPrefix(prefix);
    otel.configureChannelBuilder(channelBuilder);
    ManagedChannel channel = channelBuilder.build();
    try {
      TestServiceGrpc.TestServiceBlockingStub stub =
          TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      SimpleRequest ok = SimpleRequest.newBuilder()
          .setPayload(InteropSuite.zeros(1_000)).setResponseSize(2_000).build();
      int responseSize = stub.unaryCall(ok).getSerializedSize();
      SimpleRequest failing = SimpleRequest.newBuilder()
          .setResponseStatus(EchoStatus.newBuilder().setCode(2).setMessage("boom")).build();
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> stub.unaryCall(failing));
      assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode());

      // Metrics: one OK and one UNKNOWN call on each end (the server records when its reply is out).
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        List<MetricData> data = List.copyOf(metrics.collectAllMetrics());
        for (String duration : List.of("grpc.client.attempt.duration", "grpc.client.call.duration",
            "grpc.server.call.duration")) {
          assertEquals(1, count(data, duration, "OK"), duration + " OK");
          assertEquals(1, count(data, duration, "UNKNOWN"), duration + " UNKNOWN");
        }
        assertEquals(ok.getSerializedSize(),
            sum(data, "grpc.client.attempt.sent_total_compressed_message_size", "OK"));
        assertEquals(ok.getSerializedSize(),
            sum(data, "grpc.server.call.rcvd_total_compressed_message_size", "OK"));
        assertEquals(responseSize,
            sum(data, "grpc.server.call.sent_total_compressed_message_size", "OK"));
        assertEquals(responseSize,
            sum(data, "grpc.client.attempt.rcvd_total_compressed_message_size", "OK"));
        assertEquals(0, sum(data, "grpc.server.call.sent_total_compressed_message_size", "UNKNOWN"));
      });

      // Spans: the failed call is an error on both ends, and the server's span continues the
      // client's trace, its context carried through MQTT as request metadata.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        List<SpanData> finished = spans.getFinishedSpanItems();
        // grpc-java names its spans Sent.<method> (call), Attempt.<method>, Recv.<method> (server).
        List<SpanData> serverSpans = finished.stream()
            .filter(s -> s.getName().equals("Recv.grpc.testing.TestService.UnaryCall")).toList();
        List<SpanData> attempts = finished.stream()
            .filter(s -> s.getName().equals("Attempt.grpc.testing.TestService.UnaryCall")).toList();
        assertEquals(2, serverSpans.size(), finished.toString());
        assertEquals(2, attempts.size(), finished.toString());
        for (int i = 0; i < 2; i++) {
          SpanData serverSpan = serverSpans.get(i);
          SpanData attempt = attempts.stream()
              .filter(a -> a.getSpanId().equals(serverSpan.getParentSpanId())).findFirst()
              .orElseThrow(() -> new AssertionError("no client span is the parent of " + serverSpan));
          assertEquals(attempt.getTraceId(), serverSpan.getTraceId());
          assertEquals(serverSpan.getStatus().getStatusCode(), attempt.getStatus().getStatusCode());
        }
        SpanData failed = serverSpans.stream()
            .filter(s -> s.getStatus().getStatusCode() == StatusCode.ERROR).findFirst()
            .orElseThrow(() -> new AssertionError("no failed server span: " + serverSpans));
        assertEquals("UNKNOWN: boom", failed.getStatus().getDescription());
        assertEquals(1, attempts.stream()
            .filter(s -> s.getStatus().getStatusCode() == StatusCode.ERROR).count());
      });
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      timer.shutdownNow();
      sdk.close();
    }
  }

  /** Calls recorded by a histogram for the unary method with this status. */
  private static long count(List<MetricData> data, String name, String status) {
    return points(data, name, status).stream().mapToLong(HistogramPointData::getCount).sum();
  }

  private static long sum(List<MetricData> data, String name, String status) {
    return (long) points(data, name, status).stream().mapToDouble(HistogramPointData::getSum).sum();
  }

  private static List<HistogramPointData> points(List<MetricData> data, String name, String status) {
    return data.stream()
        .filter(m -> m.getName().equals(name))
        .flatMap(m -> m.getHistogramData().getPoints().stream())
        .filter(p -> UNARY.equals(p.getAttributes().get(METHOD))
            && status.equals(p.getAttributes().get(STATUS)))
        .toList();
  }
}
