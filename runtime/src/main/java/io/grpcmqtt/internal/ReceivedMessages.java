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
   * A received message as the public type, made in one step from the library's fields: the arrays
   * are the library's, made for this message, shared, not copied ({@link MqttMessageAccess}), and
   * {@code userProperties} is an unmodifiable list the caller made for it (a {@link
   * UserPropertyList}) and hands over. A broker may pass on
   * strings MQTT says it should not (control characters): such text is cleaned rather than the
   * message lost.
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
      return MqttMessageAccess.message(topic, payload, qos, retain, responseTopic,
          correlationData, contentType, expirySeconds, userProperties, 0);
    } catch (IllegalArgumentException e) {
      log.debug("A message on '{}' holds text MQTT forbids ({}); cleaned",
          MqttStrings.sanitize(topic), e.getMessage());
      MqttUserProperty[] clean = new MqttUserProperty[userProperties.size()];
      for (int i = 0; i < clean.length; i++) {
        MqttUserProperty u = userProperties.get(i);
        clean[i] = new MqttUserProperty(MqttStrings.sanitize(u.name()),
            MqttStrings.sanitize(u.value()));
      }
      return MqttMessageAccess.message(MqttStrings.sanitize(topic), payload, qos, retain,
          responseTopic == null ? null : MqttStrings.sanitize(responseTopic), correlationData,
          contentType == null ? null : MqttStrings.sanitize(contentType), expirySeconds,
          new UserPropertyList(clean), 0);
    }
  }
}
