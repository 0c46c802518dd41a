package io.grpcmqtt.mqtt;

import java.util.Objects;

/**
 * One MQTT 5 user property: a name and a value, both UTF-8 strings. A message may carry several
 * with the same name; their order is kept.
 */
public record MqttUserProperty(String name, String value) {
  public MqttUserProperty {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
