package io.grpcmqtt.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Log levels the commands adjust: 'call' keeps stderr for its own messages. */
final class Logs {
  private Logs() {}

  /** Lowers grpc-mqtt's own INFO lines (connects, subscriptions) to nothing unless verbose. */
  static void quietUnless(boolean verbose) {
    if (!verbose && LoggerFactory.getLogger("io.grpcmqtt") instanceof Logger) {
      ((Logger) LoggerFactory.getLogger("io.grpcmqtt")).setLevel(Level.WARN);
    }
  }
}
