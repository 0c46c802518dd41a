package io.grpcmqtt.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import javax.annotation.Nullable;

/**
 * Milliseconds the JIT compilers have spent ({@link CompilationMXBean#getTotalCompilationTime}),
 * in this JVM and, with {@code --separate}, in the server process; {@code -1} where a JVM does
 * not say. A C2 compile of grpc-mqtt's code takes a core the measured code does not get: on 2
 * cores that alone moves a ratio, so every measured line says how much compiling went on in it.
 */
record JitTime(long hereMillis, long serverMillis) {
  @Nullable
  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

  /** This JVM's compile time so far; {@code -1} if it has no JIT or does not measure it. */
  static long localMillis() {
    return JIT != null && JIT.isCompilationTimeMonitoringSupported()
        ? JIT.getTotalCompilationTime() : -1;
  }

  /** Now, in this JVM and in {@code server} if there is one. */
  static JitTime now(@Nullable ServerProcess server) {
    return new JitTime(localMillis(), server == null ? -1 : server.jitMillis());
  }

  /** What was compiled between {@code before} and this; {@code -1} where either is unknown. */
  JitTime since(JitTime before) {
    return new JitTime(minus(hereMillis, before.hereMillis),
        minus(serverMillis, before.serverMillis));
  }

  /** The larger share of the two JVMs: the one that decides whether a run is quiet. */
  long busiestMillis() {
    return Math.max(hereMillis, serverMillis);
  }

  /** For a result's note: {@code jit 12 ms}, with {@code --separate} {@code jit 12 + 3 ms server}. */
  String note() {
    if (hereMillis < 0) {
      return "";
    }
    return serverMillis < 0 ? String.format(Locale.ROOT, "jit %d ms", hereMillis)
        : String.format(Locale.ROOT, "jit %d + %d ms server", hereMillis, serverMillis);
  }

  private static long minus(long after, long before) {
    return after < 0 || before < 0 ? -1 : after - before;
  }
}
