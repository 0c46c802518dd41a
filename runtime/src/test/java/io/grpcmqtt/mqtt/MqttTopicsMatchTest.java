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
          assertEquals(splitMatches(f, topic), MqttTopics.matches(f, topic), f + " vs " + topic);
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

  /** The implementation before (String.split), the reference. */
  private static boolean splitMatches(String filter, String topic) {
    if (filter.startsWith("$share/")) {
      int slash = filter.indexOf('/', "$share/".length());
      filter = slash < 0 ? "" : filter.substring(slash + 1);
    }
    if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
      return false;
    }
    String[] f = filter.split("/", -1);
    String[] t = topic.split("/", -1);
    for (int i = 0; i < f.length; i++) {
      if (f[i].equals("#")) {
        return true;
      }
      if (i >= t.length) {
        return false;
      }
      if (!f[i].equals("+") && !f[i].equals(t[i])) {
        return false;
      }
    }
    return f.length == t.length;
  }
}
