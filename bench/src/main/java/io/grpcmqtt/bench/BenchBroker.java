package io.grpcmqtt.bench;

/** A broker the scenarios run on, started by the harness on 127.0.0.1 and a free port. */
interface BenchBroker extends AutoCloseable {
  /** mosquitto or hivemq. */
  String name();

  /** {@code tcp://127.0.0.1:port}. */
  String uri();

  /** Version text for the report. */
  String version();

  /** CPU time the broker process has used so far (ns), or -1 when it shares this JVM. */
  long cpuNanos();

  @Override
  void close();
}
