package io.grpcmqtt.mqtt;

/**
 * What the broker said about a publish: the reason code of its PUBACK (QoS 1), or 0 once a QoS 0
 * message was written.
 *
 * @param reasonCode 0x00 success, 0x10 no matching subscribers (still a success), 0x80 and above
 *     a refusal (e.g. 0x87 not authorized, 0x97 quota exceeded)
 */
public record MqttPublishResult(int reasonCode) {
  /** MQTT 5 PUBACK reason 0x10: accepted, but nobody subscribes to the topic. */
  public static final int NO_MATCHING_SUBSCRIBERS = 0x10;

  /** Whether the broker accepted the message (reason below 0x80). */
  public boolean accepted() {
    return reasonCode < 0x80;
  }

  /** Whether the broker accepted it and said that no subscriber will get it. */
  public boolean noMatchingSubscribers() {
    return reasonCode == NO_MATCHING_SUBSCRIBERS;
  }
}
