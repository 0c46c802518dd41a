package io.grpcmqtt.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Log levels the commands adjust: 'call' keeps stderr for its own messages. */
final class Logs {
  private Logs() {}

  /**
   * Lowers grpc-mqtt's own INFO lines (connects, subscriptions) to nothing: what {@code call -v}
   * prints is about the call, and it prints that itself.
   */
  static void quiet() {
    if (LoggerFactory.getLogger("io.grpcmqtt") instanceof Logger logger) {
      logger.setLevel(Level.WARN);
    }
  }
}
