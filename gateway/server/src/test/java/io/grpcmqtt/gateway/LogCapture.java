package io.grpcmqtt.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The log lines (WARN and above, as logback-test.xml lets through) of one class, or of every logger
 * below a name, while open.
 */
final class LogCapture implements AutoCloseable {
  /**
   * All of grpc-mqtt's loggers: the runtime's are internal classes, so tests outside it capture
   * them by this name rather than by class.
   */
  static final String GRPC_MQTT = "io.grpcmqtt";

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogCapture(Class<?> source) {
    this(source.getName());
  }

  /** The lines of logger {@code name} and of the loggers below it ({@code a.b} is below {@code a}). */
  LogCapture(String name) {
    logger = (Logger) LoggerFactory.getLogger(name);
    appender.start();
    logger.addAppender(appender);
  }

  /** The formatted messages so far. */
  List<String> lines() {
    synchronized (appender) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  boolean contains(String part) {
    return lines().stream().anyMatch(l -> l.contains(part));
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
