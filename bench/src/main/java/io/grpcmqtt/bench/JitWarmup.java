package io.grpcmqtt.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unmeasured rounds of the workloads a group of lines will measure, until the JIT is quiet. The
 * JIT compiles on its own threads: grpc-mqtt's code is far larger than the floor's, and a line
 * measured while C2 still compiles it shares the machine's cores with the compiler (on 2 cores,
 * 15-25 % of all CPU in grpc-mqtt's windows and under 1 % in the floor's). A fixed warm-up is
 * either too short for that or longer than it needs to be; this one watches the JVMs' compile
 * time instead and stops when it has gone quiet ({@link #verdict}).
 */
final class JitWarmup {
  private static final Logger log = LoggerFactory.getLogger(JitWarmup.class);

  /** A round is quiet when no JVM compiled for more than this share of its wall time (one core). */
  static final double QUIET_SHARE = 0.02;
  /** Quiet rounds in a row that end the warm-up: one quiet round can be a lull. */
  static final int QUIET_ROUNDS = 2;

  /** The shortest a workload runs in a round, however many share it. */
  static final long MIN_SLICE_NANOS = 10_000_000;

  /** One workload of a round, run unmeasured for about {@code nanos}. */
  interface Workload {
    void run(long nanos) throws Exception;
  }

  /** One round: its wall time and what each JVM compiled during it. */
  record Round(long wallNanos, JitTime compiled) {
    boolean quiet() {
      return compiled.busiestMillis() < QUIET_SHARE * wallNanos / 1e6;
    }
  }

  /** Whether to run another round, and if not, why. */
  enum Verdict {
    GO_ON, QUIET, BOUND
  }

  private JitWarmup() {}

  /**
   * The stopping rule: {@link Verdict#QUIET} once the last {@link #QUIET_ROUNDS} rounds were quiet,
   * else {@link Verdict#BOUND} once the rounds add up to {@code boundNanos}, else {@link
   * Verdict#GO_ON}. A JVM that does not report its compile time counts as quiet.
   */
  static Verdict verdict(List<Round> rounds, long boundNanos) {
    int n = rounds.size();
    if (n >= QUIET_ROUNDS && rounds.subList(n - QUIET_ROUNDS, n).stream().allMatch(Round::quiet)) {
      return Verdict.QUIET;
    }
    long elapsed = rounds.stream().mapToLong(Round::wallNanos).sum();
    return elapsed >= boundNanos ? Verdict.BOUND : Verdict.GO_ON;
  }

  /**
   * Runs rounds of {@code workloads}, each for its share of {@code roundNanos} (at least {@link
   * #MIN_SLICE_NANOS}), until {@link #verdict} says stop (the round under way when the bound
   * passes ends with the workload under way), measuring this JVM's and {@code server}'s compile time; logs and returns
   * what it did, for the JSON.
   */
  static Map<String, Object> run(String what, List<Workload> workloads, long roundNanos,
      long boundNanos, @Nullable ServerProcess server) throws Exception {
    long sliceNanos = Math.max(MIN_SLICE_NANOS, roundNanos / workloads.size());
    log.info("{}: JIT warm-up, {} workloads per round, until quiet or {} s, not measured", what,
        workloads.size(), boundNanos / 1e9);
    List<Round> rounds = new ArrayList<>();
    long deadline = System.nanoTime() + boundNanos;
    Verdict verdict;
    do {
      long start = System.nanoTime();
      JitTime before = JitTime.now(server);
      for (Workload w : workloads) {
        w.run(sliceNanos);
        if (System.nanoTime() - deadline >= 0) {
          break;
        }
      }
      rounds.add(new Round(System.nanoTime() - start, JitTime.now(server).since(before)));
      verdict = verdict(rounds, boundNanos);
    } while (verdict == Verdict.GO_ON);
    double seconds = rounds.stream().mapToLong(Round::wallNanos).sum() / 1e9;
    String here = perRound(rounds, false);
    String there = server == null ? "" : "; server process: " + perRound(rounds, true);
    if (verdict == Verdict.QUIET) {
      log.info("{}: JIT quiet after {} rounds, {} s; compile ms per round: {}{}", what,
          rounds.size(), String.format(Locale.ROOT, "%.1f", seconds), here, there);
    } else {
      log.info("{}: JIT warm-up hit its bound after {} rounds, {} s, still compiling;"
          + " compile ms per round: {}{}", what, rounds.size(),
          String.format(Locale.ROOT, "%.1f", seconds), here, there);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("what", what);
    m.put("rounds", rounds.size());
    m.put("seconds", seconds);
    m.put("stopped", verdict == Verdict.QUIET ? "quiet" : "bound");
    m.put("roundSeconds", rounds.stream().map(r -> r.wallNanos() / 1e9).collect(Collectors.toList()));
    m.put("compileMillis", rounds.stream().map(r -> r.compiled().hereMillis())
        .collect(Collectors.toList()));
    if (server != null) {
      m.put("serverCompileMillis", rounds.stream().map(r -> r.compiled().serverMillis())
          .collect(Collectors.toList()));
    }
    return m;
  }

  private static String perRound(List<Round> rounds, boolean server) {
    return rounds.stream()
        .map(r -> Long.toString(server ? r.compiled().serverMillis() : r.compiled().hereMillis()))
        .collect(Collectors.joining(" "));
  }
}
