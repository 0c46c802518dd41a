package io.grpcmqtt.internal;

import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/** Builds the properties of outgoing PUBLISHes. */
final class Publishes {
  private Publishes() {}

  static MqttProperties properties(
      @Nullable String responseTopic,
      @Nullable byte[] correlation,
      @Nullable String contentType,
      List<UserProperty> userProperties) {
    MqttProperties p = new MqttProperties();
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
        UserProperty up = userProperties.get(i);
        String key = MqttStrings.sanitize(up.getKey());
        String value = MqttStrings.sanitize(up.getValue());
        if (key != up.getKey() || value != up.getValue()) {
          userProperties.set(i, new UserProperty(key, value));
        }
      }
      p.setUserProperties(userProperties);
    }
    return p;
  }

  static List<UserProperty> control(String control) {
    return single(Wire.CTL, control);
  }

  /** A mutable list holding one user property. */
  static List<UserProperty> single(String key, String value) {
    List<UserProperty> props = new ArrayList<>(4);
    props.add(new UserProperty(key, value));
    return props;
  }
}
