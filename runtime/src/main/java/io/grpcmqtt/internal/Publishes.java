package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/** Builds outgoing PUBLISHes: their properties, and the message a connection publishes. */
final class Publishes {
  private Publishes() {}

  /**
   * The message of a frame, made in one step: no builder, and the payload, correlation data and
   * user properties handed over as they are, the list not even wrapped: the message never leaves
   * the runtime (the connection turns it into the client library's types within its publish and
   * drops it), and nobody changes them meanwhile. Strings MQTT forbids are checked here, once
   * ({@link MqttMessageAccess#message}, as {@link MqttMessage.Builder#build()} checks them; user
   * properties were sanitized by {@link #properties}): such a frame fails only its own publish,
   * never reaching the wire.
   *
   * @return the message, or null when a string was refused: {@code callback} was told
   */
  @Nullable
  static MqttMessage message(String topic, byte[] payload, int qos, boolean retained,
      @Nullable PublishProperties p, TransportConnection.PublishCallback callback) {
    try {
      if (p == null) {
        return MqttMessageAccess.message(topic, payload, qos, retained, null, null, null, null,
            List.of(), 0);
      }
      List<MqttUserProperty> user = p.getUserProperties();
      return MqttMessageAccess.message(topic, payload, qos, retained, p.getResponseTopic(),
          p.getCorrelationData(), p.getContentType(), p.getMessageExpiryInterval(),
          user == null ? List.of() : user,
          p.publishSize(topic, payload.length, qos));
    } catch (IllegalArgumentException e) {
      callback.failed(new IllegalArgumentException("not published: " + e.getMessage(), e));
      return null;
    }
  }

  static PublishProperties properties(
      @Nullable String responseTopic,
      @Nullable byte[] correlation,
      @Nullable String contentType,
      List<MqttUserProperty> userProperties) {
    PublishProperties p = new PublishProperties();
    if (responseTopic != null) {
      p.setResponseTopic(responseTopic);
    }
    if (correlation != null) {
      p.setCorrelationData(correlation);
    }
    if (contentType != null) {
      p.setContentType(contentType);
    }
    if (!userProperties.isEmpty()) {
      for (int i = 0; i < userProperties.size(); i++) {
        MqttUserProperty up = userProperties.get(i);
        String key = MqttStrings.sanitize(up.name());
        String value = MqttStrings.sanitize(up.value());
        if (key != up.name() || value != up.value()) {
          userProperties.set(i, new MqttUserProperty(key, value));
        }
      }
      p.setUserProperties(userProperties);
    }
    return p;
  }

  static List<MqttUserProperty> control(String control) {
    return single(Wire.CTL, control);
  }

  /** A mutable list holding one user property. */
  static List<MqttUserProperty> single(String key, String value) {
    List<MqttUserProperty> props = new ArrayList<>(4);
    props.add(new MqttUserProperty(key, value));
    return props;
  }
}
