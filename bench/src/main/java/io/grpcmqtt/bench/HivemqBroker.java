package io.grpcmqtt.bench;

import io.grpcmqtt.broker.EmbeddedBroker;

/** The embedded HiveMQ CE of the broker module, in this JVM. */
final class HivemqBroker implements BenchBroker {
  private final EmbeddedBroker broker;

  private HivemqBroker(EmbeddedBroker broker) {
    this.broker = broker;
  }

  static HivemqBroker start() {
    return new HivemqBroker(EmbeddedBroker.builder().port(0).start());
  }

  @Override
  public String name() {
    return "hivemq";
  }

  @Override
  public String uri() {
    return broker.uri();
  }

  @Override
  public String version() {
    return "HiveMQ CE " + Machine.version("hivemq") + " (embedded, receive maximum 1000)";
  }

  @Override
  public long cpuNanos() {
    return -1;
  }

  @Override
  public void close() {
    broker.close();
  }
}
