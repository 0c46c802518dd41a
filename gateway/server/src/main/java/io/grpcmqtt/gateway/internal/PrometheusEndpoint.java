package io.grpcmqtt.gateway.internal;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * An OpenTelemetry SDK whose metrics are scraped over HTTP in the Prometheus format ({@code GET
 * http://HOST:PORT/metrics}): what {@code --metrics-listen} gives an operator without a collector.
 */
public final class PrometheusEndpoint implements AutoCloseable {
  private final OpenTelemetrySdk sdk;
  private final int port;

  private PrometheusEndpoint(OpenTelemetrySdk sdk, int port) {
    this.sdk = sdk;
    this.port = port;
  }

  /** Starts serving on {@code address} (a fixed port); fails naming it when it cannot bind. */
  public static PrometheusEndpoint start(InetSocketAddress address) throws IOException {
    PrometheusHttpServer server;
    try {
      server = PrometheusHttpServer.builder()
          .setHost(address.getHostString())
          .setPort(address.getPort())
          .build();
    } catch (RuntimeException e) {
      throw new IOException("cannot serve metrics on " + address.getHostString() + ":"
          + address.getPort() + ": " + e.getMessage(), e);
    }
    SdkMeterProvider meters = SdkMeterProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(
            Attributes.of(io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), "robustmq-gateway"))))
        .registerMetricReader(server)
        .build();
    return new PrometheusEndpoint(OpenTelemetrySdk.builder().setMeterProvider(meters).build(), address.getPort());
  }

  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    sdk.close();
  }
}
