package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.List;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Received PUBLISHes as {@link MqttMessage}s, from whichever client library decoded them. */
final class ReceivedMessages {
  private static final Logger log = LoggerFactory.getLogger(ReceivedMessages.class);

  private ReceivedMessages() {}

  /**
   * A received message as the public type. A broker may pass on strings MQTT says it should not
   * (control characters): such text is cleaned rather than the message lost.
   */
  static MqttMessage of(
      String topic,
      byte[] payload,
      int qos,
      boolean retain,
      @Nullable String responseTopic,
      @Nullable byte[] correlationData,
      @Nullable String contentType,
      @Nullable Long expirySeconds,
      List<MqttUserProperty> userProperties) {
    try {
      return build(topic, payload, qos, retain, responseTopic, correlationData, contentType,
          expirySeconds, userProperties, false);
    } catch (IllegalArgumentException e) {
      log.debug("A message on '{}' holds text MQTT forbids ({}); cleaned",
          MqttStrings.sanitize(topic), e.getMessage());
      return build(topic, payload, qos, retain, responseTopic, correlationData, contentType,
          expirySeconds, userProperties, true);
    }
  }

  private static MqttMessage build(
      String topic,
      byte[] payload,
      int qos,
      boolean retain,
      @Nullable String responseTopic,
      @Nullable byte[] correlationData,
      @Nullable String contentType,
      @Nullable Long expirySeconds,
      List<MqttUserProperty> userProperties,
      boolean clean) {
    // The arrays are the library's, made for this message: shared, not copied (MqttMessageAccess).
    MqttMessage.Builder b = MqttMessageAccess.builder(
            clean ? MqttStrings.sanitize(topic) : topic, payload, correlationData)
        .qos(qos)
        .retain(retain)
        .messageExpirySeconds(expirySeconds);
    if (responseTopic != null) {
      b.responseTopic(clean ? MqttStrings.sanitize(responseTopic) : responseTopic);
    }
    if (contentType != null) {
      b.contentType(clean ? MqttStrings.sanitize(contentType) : contentType);
    }
    for (MqttUserProperty u : userProperties) {
      b.userProperty(clean ? MqttStrings.sanitize(u.name()) : u.name(),
          clean ? MqttStrings.sanitize(u.value()) : u.value());
    }
    return b.build();
  }
}
