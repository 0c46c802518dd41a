package io.grpcmqtt.mapper.template;

/**
 * What a field value must look like to fill a variable, so that the resulting topic is a legal
 * MQTT topic name and {@link TopicTemplate#match} gives the same value back.
 */
final class FieldValueRules {
  private FieldValueRules() {}

  /**
   * Returns the problem with {@code value} for {@code variable}, or null when it is fine.
   *
   * @param startsTopic whether the value becomes the first level(s) of the topic
   */
  static String problem(Segment.Variable variable, String value, boolean startsTopic) {
    String field = "field '" + variable.fieldPath() + "'";
    if (value == null || value.isEmpty()) {
      return emptyField(variable.fieldPath());
    }
    String quoted = field + " value " + TopicText.quote(value);
    if (!variable.multiLevel() && value.indexOf('/') >= 0) {
      return quoted + " contains '/' but is bound to a single topic level";
    }
    for (char wildcard : new char[] {'+', '#'}) {
      if (value.indexOf(wildcard) >= 0) {
        return quoted + " contains MQTT wildcard '" + wildcard + "'";
      }
    }
    if (value.indexOf('\0') >= 0) {
      return quoted + " contains a NUL character";
    }
    if (TopicText.firstUnpairedSurrogate(value) >= 0) {
      return quoted + " contains an unpaired surrogate character";
    }
    if (value.startsWith("/") || value.endsWith("/") || value.contains("//")) {
      return quoted + " contains an empty topic level";
    }
    // MQTT wildcards never match a topic starting with '$', so such a topic could never be routed.
    if (startsTopic && value.startsWith("$")) {
      return quoted + " would start the topic with '$' (reserved for broker topics such as $SYS)";
    }
    return null;
  }

  /** Shared with the descriptor layer so an unset field reads the same wherever it is caught. */
  static String emptyField(String fieldPath) {
    return "field '" + fieldPath + "' is empty and is bound to the topic";
  }

  /** Whether one received topic level can be a value of a variable. */
  static boolean acceptsLevel(String level, boolean startsTopic) {
    return !level.isEmpty()
        && level.indexOf('+') < 0
        && level.indexOf('#') < 0
        && level.indexOf('\0') < 0
        && !(startsTopic && level.startsWith("$"));
  }
}
