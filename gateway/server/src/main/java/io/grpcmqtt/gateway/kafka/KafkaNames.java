package io.grpcmqtt.gateway.kafka;

/** Kafka topic names: what is legal, and making a Gateway topic legal. */
final class KafkaNames {
  static final int MAX_TOPIC_LENGTH = 249;

  private KafkaNames() {}

  static boolean isLegalChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  }

  /** Whether {@code name} holds only legal characters (and is not empty, unless allowed). */
  static boolean isLegal(String name, boolean emptyAllowed) {
    if (name.isEmpty()) {
      return emptyAllowed;
    }
    if (name.equals(".") || name.equals("..")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isLegalChar(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** {@code sensors/room 1} → {@code sensors.room_1}. */
  static String legalize(String gatewayTopic) {
    StringBuilder b = new StringBuilder(gatewayTopic.length());
    for (int i = 0; i < gatewayTopic.length(); i++) {
      char c = gatewayTopic.charAt(i);
      b.append(c == '/' ? '.' : isLegalChar(c) ? c : '_');
    }
    return b.toString();
  }
}
