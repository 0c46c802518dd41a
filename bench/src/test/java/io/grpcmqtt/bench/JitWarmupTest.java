package io.grpcmqtt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpcmqtt.bench.JitWarmup.Round;
import io.grpcmqtt.bench.JitWarmup.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The warm-up's stopping rule, on made-up compile-time samples: rounds of 1 s, in which 2 % of a
 * core is 20 ms of compiling.
 */
class JitWarmupTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long BOUND = 60 * SECOND;

  @Test
  void twoQuietRoundsInARowStop() {
    assertEquals(Verdict.QUIET, JitWarmup.verdict(rounds(900, 300, 19, 5), BOUND));
  }

  @Test
  void oneQuietRoundIsNotEnough() {
    assertEquals(Verdict.GO_ON, JitWarmup.verdict(rounds(900, 5), BOUND));
    assertEquals(Verdict.GO_ON, JitWarmup.verdict(rounds(5), BOUND));
    assertEquals(Verdict.GO_ON, JitWarmup.verdict(rounds(900, 5, 120, 3), BOUND),
        "a busy round between two quiet ones");
  }

  @Test
  void aRoundAtTheShareIsBusy() {
    assertEquals(Verdict.GO_ON, JitWarmup.verdict(rounds(20, 20), BOUND));
  }

  @Test
  void theServerProcessMustBeQuietToo() {
    List<Round> rounds = List.of(new Round(SECOND, new JitTime(3, 400)),
        new Round(SECOND, new JitTime(3, 2)));
    assertEquals(Verdict.GO_ON, JitWarmup.verdict(rounds, BOUND));
    List<Round> quiet = new ArrayList<>(rounds);
    quiet.add(new Round(SECOND, new JitTime(0, 19)));
    assertEquals(Verdict.QUIET, JitWarmup.verdict(quiet, BOUND));
  }

  @Test
  void theBoundStopsAJitThatNeverQuietensAndSaysSo() {
    long[] busy = new long[60];
    Arrays.fill(busy, 100);
    assertEquals(Verdict.GO_ON, JitWarmup.verdict(rounds(Arrays.copyOf(busy, 59)),
        BOUND));
    assertEquals(Verdict.BOUND, JitWarmup.verdict(rounds(busy), BOUND));
  }

  @Test
  void quietRoundsAtTheBoundAreQuiet() {
    long[] millis = new long[60];
    Arrays.fill(millis, 100);
    millis[58] = 1;
    millis[59] = 1;
    assertEquals(Verdict.QUIET, JitWarmup.verdict(rounds(millis), BOUND));
  }

  @Test
  void aJvmThatDoesNotMeasureCompilingCountsAsQuiet() {
    assertEquals(Verdict.QUIET, JitWarmup.verdict(rounds(-1, -1), BOUND));
  }

  /** Rounds of 1 s in this JVM only, with these compile times. */
  private static List<Round> rounds(long... compileMillis) {
    List<Round> out = new ArrayList<>();
    for (long ms : compileMillis) {
      out.add(new Round(SECOND, new JitTime(ms, -1)));
    }
    return out;
  }
}
