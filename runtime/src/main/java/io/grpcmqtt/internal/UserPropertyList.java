package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * The user properties of a received message: an unmodifiable list over the array a client
 * library's properties were copied into, one object per message instead of a list, its array and
 * an unmodifiable view of it.
 */
final class UserPropertyList extends AbstractList<MqttUserProperty> implements RandomAccess {
  private final MqttUserProperty[] properties;

  /** Takes {@code properties} as it is: nobody may change it afterward. */
  UserPropertyList(MqttUserProperty[] properties) {
    this.properties = properties;
  }

  @Override
  public MqttUserProperty get(int index) {
    return properties[index];
  }

  @Override
  public int size() {
    return properties.length;
  }
}
