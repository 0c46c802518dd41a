package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/** Builds the properties of outgoing PUBLISHes. */
final class Publishes {
  private Publishes() {}

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
