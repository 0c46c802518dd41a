package io.grpcmqtt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A line's compile time: differences, the note, and repeats merged. */
class JitTimeTest {

  @Test
  void sinceIsTheDifferenceAndUnknownStaysUnknown() {
    assertEquals(new JitTime(30, -1), new JitTime(130, -1).since(new JitTime(100, -1)));
    assertEquals(new JitTime(30, 5), new JitTime(130, 25).since(new JitTime(100, 20)));
    assertEquals(new JitTime(-1, -1), new JitTime(-1, -1).since(new JitTime(100, -1)));
  }

  @Test
  void theNoteNamesTheServerProcessOnlyWhenThereIsOne() {
    assertEquals("jit 12 ms", new JitTime(12, -1).note());
    assertEquals("jit 12 + 3 ms server", new JitTime(12, 3).note());
    assertEquals("", new JitTime(-1, -1).note());
  }

  @Test
  void repeatsAddUp() {
    Result merged = Result.mergeRepeats(List.of(line(new JitTime(10, 1)), line(new JitTime(5, 2))))
        .get(0);
    assertEquals(new JitTime(15, 3), merged.jit);
    assertEquals(new JitTime(-1, -1),
        Result.mergeRepeats(List.of(line(new JitTime(10, -1)), line(new JitTime(-1, -1))))
            .get(0).jit, "a run that did not measure makes the sum unknown");
  }

  private static Result line(JitTime jit) {
    return Result.builder("mosquitto", "pubsub", "floor").qos(1).payload(64).rate(100, 70)
        .jit(jit).build();
  }
}
