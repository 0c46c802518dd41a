package io.grpcmqtt.mqtt;

import io.grpcmqtt.internal.MqttStrings;
import java.nio.charset.StandardCharsets;

/**
 * The MQTT 5 rules for topic names and topic filters (sections 4.7 and 4.8), checked before
 * anything reaches a client library: a name or filter it refuses would otherwise cost the
 * connection.
 */
public final class MqttTopics {
  /** The longest topic or filter MQTT can encode, in UTF-8 bytes. */
  public static final int MAX_BYTES = 65_535;

  private MqttTopics() {}

  /**
   * Checks a topic a message is published on: not empty, no wildcards, no characters MQTT
   * strings may not hold (control characters, unpaired surrogates, NUL), at most {@value
   * #MAX_BYTES} bytes.
   *
   * @throws IllegalArgumentException naming {@code what} and the rule broken
   */
  public static void checkName(String what, String topic) {
    checkString(what, topic);
    if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          what + " '" + topic + "' must not contain the wildcards '+' or '#'");
    }
  }

  /**
   * Checks a filter a subscription is made with: as {@link #checkName} but wildcards are allowed,
   * each taking a whole level, {@code #} only last; a shared subscription {@code
   * $share/{group}/{filter}} needs a group without wildcards and a filter.
   *
   * @throws IllegalArgumentException naming {@code what} and the rule broken
   */
  public static void checkFilter(String what, String filter) {
    checkString(what, filter);
    String plain = filter;
    if (filter.startsWith("$share/")) {
      int slash = filter.indexOf('/', "$share/".length());
      String group = slash < 0 ? "" : filter.substring("$share/".length(), slash);
      if (slash < 0 || group.isEmpty() || group.contains("+") || group.contains("#")
          || slash == filter.length() - 1) {
        throw new IllegalArgumentException(what + " '" + filter
            + "': a shared subscription is $share/{group}/{filter}, the group without wildcards");
      }
      plain = filter.substring(slash + 1);
    }
    String[] levels = plain.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      String level = levels[i];
      if (level.equals("#") && i != levels.length - 1) {
        throw new IllegalArgumentException(what + " '" + filter + "': '#' must be the last level");
      }
      if (level.length() > 1 && (level.contains("#") || level.contains("+"))) {
        throw new IllegalArgumentException(
            what + " '" + filter + "': a wildcard must take a whole level");
      }
    }
  }

  /**
   * Whether {@code topic} matches {@code filter} (a shared subscription's filter is the part
   * after its group). Topics starting with {@code $} match no filter starting with a wildcard.
   */
  public static boolean matches(String filter, String topic) {
    // Level by level on the strings themselves: no split, no allocation (every received message
    // is matched against its connection's filters).
    int f = 0;
    if (filter.startsWith("$share/")) {
      int slash = filter.indexOf('/', "$share/".length());
      f = slash < 0 ? filter.length() : slash + 1;
    }
    int fl = filter.length();
    int tl = topic.length();
    if (topic.startsWith("$") && f < fl
        && (filter.charAt(f) == '+' || filter.charAt(f) == '#')) {
      return false;
    }
    int t = 0; // tl + 1 once the topic has no level left
    while (true) {
      int fEnd = filter.indexOf('/', f);
      if (fEnd < 0) {
        fEnd = fl;
      }
      boolean single = fEnd - f == 1;
      if (single && filter.charAt(f) == '#') {
        return true; // also "a/#" matching "a"
      }
      if (t > tl) {
        return false;
      }
      int tEnd = topic.indexOf('/', t);
      if (tEnd < 0) {
        tEnd = tl;
      }
      if (!(single && filter.charAt(f) == '+')
          && !(fEnd - f == tEnd - t && filter.regionMatches(f, topic, t, fEnd - f))) {
        return false;
      }
      if (fEnd == fl) {
        return tEnd == tl;
      }
      f = fEnd + 1;
      t = tEnd == tl ? tl + 1 : tEnd + 1;
    }
  }

  private static void checkString(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    checkText(what, value);
    // A char is at most 3 UTF-8 bytes (a surrogate pair 4 for 2): only long strings are encoded,
    // not every topic of every message.
    if (value.length() > MAX_BYTES / 3 && value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_BYTES + " UTF-8 bytes");
    }
  }

  /** Checks that {@code value} holds only characters an MQTT UTF-8 string may hold. */
  static void checkText(String what, String value) {
    if (!MqttStrings.isClean(value)) {
      throw new IllegalArgumentException(
          what + " holds a character MQTT strings may not contain (a control character or an"
              + " unpaired surrogate)");
    }
  }
}
