package io.grpcmqtt.internal;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs the JMH microbenchmarks of the runtime's internals ({@code *Benchmark} in this package);
 * they live here, beside the package-private classes they measure, because other modules may use
 * the runtime's public API only. Not a test: surefire runs it only when named, e.g.
 *
 * <pre>
 * mvn -B -ntp -pl runtime -am verify -Dtest=Microbenchmarks -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djmh.args="-f 1 -wi 2 -w 1s -i 3 -r 1s"
 * </pre>
 *
 * {@code jmh.args} takes JMH's own command line (a benchmark regex, {@code -prof gc}, ...); its
 * default is the line above. The bench module's {@code jmh} command runs the benchmarks of public
 * API (topic templates).
 */
class Microbenchmarks {
  @Test
  void run() throws Exception {
    String args = System.getProperty("jmh.args", "-f 1 -wi 2 -w 1s -i 3 -r 1s").trim();
    String[] argv = args.isEmpty() ? new String[0] : args.split("\\s+");
    new Runner(new CommandLineOptions(argv)).run();
  }
}
