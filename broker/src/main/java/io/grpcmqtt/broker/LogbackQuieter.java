package io.grpcmqtt.broker;

import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Lowers HiveMQ's log levels when the SLF4J backend is Logback, without loading any Logback class
 * otherwise: the Logback-typed code lives in {@link Levels}, which is only initialised after the
 * backend has been identified by class name.
 *
 * <p>Only loggers without a level of their own are touched, so levels set in the application's
 * Logback configuration (or programmatically) are kept.
 */
final class LogbackQuieter {

    /**
     * Logger name to level. {@code com.hivemq} logs every start and stop at INFO; the others are
     * libraries HiveMQ drives, quietened the way HiveMQ's own {@code logback.xml} does.
     */
    static final Map<String, String> LEVELS = Map.of(
            "com.hivemq", "WARN",
            "migrations", "WARN",
            "jetbrains.exodus", "WARN",
            "oshi", "ERROR",
            "com.google.common.util.concurrent.Futures.CombinedFuture", "OFF");

    private static final String LOGBACK_CONTEXT = "ch.qos.logback.classic.LoggerContext";

    private LogbackQuieter() {}

    static void quietHiveMqIfLogback() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!LOGBACK_CONTEXT.equals(factory.getClass().getName())) {
            return;
        }
        try {
            Levels.apply(factory);
        } catch (LinkageError e) {
            // A Logback on the class path that differs from the one compiled against: leave it alone.
        }
    }

    /** Logback-typed half; loaded only when Logback is the backend. */
    private static final class Levels {
        static void apply(ILoggerFactory factory) {
            ch.qos.logback.classic.LoggerContext context = (ch.qos.logback.classic.LoggerContext) factory;
            LEVELS.forEach((name, level) -> {
                ch.qos.logback.classic.Logger logger = context.getLogger(name);
                if (logger.getLevel() == null) {
                    logger.setLevel(ch.qos.logback.classic.Level.toLevel(level));
                }
            });
        }
    }
}
