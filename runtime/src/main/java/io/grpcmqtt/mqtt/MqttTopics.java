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
        return true; // also "a/#" matching "a"
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

  private static void checkString(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    checkText(what, value);
    if (value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
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
