package io.grpcmqtt.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link MqttTopics#matches}: MQTT 5 §4.7, and the same answers as the split-based version. */
class MqttTopicsMatchTest {
  @Test
  void followsTheSpec() {
    assertTrue(MqttTopics.matches("a/#", "a"));
    assertTrue(MqttTopics.matches("a/#", "a/b/c"));
    assertTrue(MqttTopics.matches("#", "a/b"));
    assertTrue(MqttTopics.matches("a/+/c", "a/b/c"));
    assertTrue(MqttTopics.matches("+/+", "/x"));
    assertTrue(MqttTopics.matches("$share/g/a/+", "a/b"));
    assertFalse(MqttTopics.matches("a/+", "a/b/c"));
    assertFalse(MqttTopics.matches("a/b", "a/bc"));
    assertFalse(MqttTopics.matches("a/b/c", "a/b"));
    assertFalse(MqttTopics.matches("#", "$SYS/x"));
    assertFalse(MqttTopics.matches("+/x", "$SYS/x"));
    assertTrue(MqttTopics.matches("$SYS/#", "$SYS/x"));
  }

  @Test
  void answersAsTheSplitVersionOnEveryCombination() {
    String[] levels = {"", "a", "b", "ab", "+", "#", "$s"};
    List<String> names = new ArrayList<>();
    combine(levels, "", 0, names);
    int checked = 0;
    for (String filter : names) {
      for (String topic : names) {
        if (topic.contains("+") || topic.contains("#")) {
          continue;
        }
        for (String f : new String[] {filter, "$share/g/" + filter, "$share/g"}) {
          assertEquals(SplitTopicMatcher.matches(f, topic), MqttTopics.matches(f, topic),
              f + " vs " + topic);
          checked++;
        }
      }
    }
    assertTrue(checked > 10_000, "checked " + checked);
  }

  /** Every string of 1 to 3 levels. */
  private static void combine(String[] levels, String prefix, int depth, List<String> out) {
    if (depth == 3) {
      return;
    }
    for (String l : levels) {
      String name = depth == 0 ? l : prefix + "/" + l;
      out.add(name);
      combine(levels, name, depth + 1, out);
    }
  }
}
