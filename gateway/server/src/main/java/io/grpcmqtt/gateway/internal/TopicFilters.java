package io.grpcmqtt.gateway.internal;

/** MQTT topic filters: syntax and overlap, for checking ingest filters at start-up. */
public final class TopicFilters {
  private TopicFilters() {}

  /** Why {@code filter} is not a usable MQTT topic filter, or null if it is. */
  public static String problem(String filter) {
    if (filter.isEmpty()) {
      return "a topic filter must not be empty";
    }
    if (filter.startsWith("$")) {
      return "'" + filter + "' starts with '$' (shared subscriptions are added by the Gateway itself)";
    }
    String[] levels = filter.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      String level = levels[i];
      if (level.equals("#") && i != levels.length - 1) {
        return "'" + filter + "': '#' must be the last level";
      }
      if (level.length() > 1 && (level.contains("#") || level.contains("+"))) {
        return "'" + filter + "': a wildcard must take a whole level";
      }
    }
    return null;
  }

  /** Whether the topic {@code topic} (no wildcards, as every queue topic) matches {@code filter}. */
  public static boolean matches(String filter, String topic) {
    return overlap(filter, topic);
  }

  /** Whether some topic matches both filters. */
  public static boolean overlap(String a, String b) {
    String[] x = a.split("/", -1);
    String[] y = b.split("/", -1);
    int n = Math.min(x.length, y.length);
    for (int i = 0; i < n; i++) {
      if (x[i].equals("#") || y[i].equals("#")) {
        return true;
      }
      if (!x[i].equals("+") && !y[i].equals("+") && !x[i].equals(y[i])) {
        return false;
      }
    }
    if (x.length == y.length) {
      return true;
    }
    // "a/#" also matches "a" itself.
    String[] longer = x.length > y.length ? x : y;
    return longer.length == n + 1 && longer[n].equals("#");
  }
}
