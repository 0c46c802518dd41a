package io.grpcmqtt.bench;

import io.grpcmqtt.broker.EmbeddedBroker;

/** The embedded HiveMQ CE of the broker module, in this JVM. */
final class HivemqBroker implements BenchBroker {
  private final EmbeddedBroker broker;
  private final int maxPacketSize;

  private HivemqBroker(EmbeddedBroker broker, int maxPacketSize) {
    this.broker = broker;
    this.maxPacketSize = maxPacketSize;
  }

  static HivemqBroker start() {
    return start(0);
  }

  /** As {@link #start()}; a positive {@code maxPacketSize} caps packets. */
  static HivemqBroker start(int maxPacketSize) {
    EmbeddedBroker.Builder b = EmbeddedBroker.builder().port(0);
    if (maxPacketSize > 0) {
      b.maxPacketSize(maxPacketSize);
    }
    return new HivemqBroker(b.start(), maxPacketSize);
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
    return "HiveMQ CE " + Machine.version("hivemq") + " (embedded, receive maximum 1000"
        + (maxPacketSize > 0 ? ", max packet size " + maxPacketSize : "") + ")";
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
