package io.grpcmqtt.mapper.template;

/**
 * MQTT 5 §4.7 topic-filter matching, written independently of the production matcher so the
 * properties can check one against the other.
 */
public final class MqttFilter {
  private MqttFilter() {}

  public static boolean matches(String filter, String topic) {
    String[] filterLevels = filter.split("/", -1);
    String[] topicLevels = topic.split("/", -1);
    // §4.7.2: a filter starting with a wildcard does not match topics starting with '$'.
    if (topic.startsWith("$") && (filterLevels[0].equals("+") || filterLevels[0].equals("#"))) {
      return false;
    }
    for (int i = 0; i < filterLevels.length; i++) {
      if (filterLevels[i].equals("#")) {
        return true; // also matches the parent level, i.e. zero further levels
      }
      if (i >= topicLevels.length) {
        return false;
      }
      if (!filterLevels[i].equals("+") && !filterLevels[i].equals(topicLevels[i])) {
        return false;
      }
    }
    return filterLevels.length == topicLevels.length;
  }
}
