package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.List;
import javax.annotation.Nullable;

/**
 * The MQTT 5 properties of a PUBLISH the transports make or read, mutable while a frame is put
 * together (a stream adds its sequence number last). Turned into an {@link
 * io.grpcmqtt.mqtt.MqttMessage} only when published, so nothing here depends on a client library.
 */
final class PublishProperties {
  @Nullable private String responseTopic;
  @Nullable private byte[] correlationData;
  @Nullable private String contentType;
  @Nullable private Long messageExpiryInterval;
  @Nullable private List<MqttUserProperty> userProperties;

  @Nullable
  String getResponseTopic() {
    return responseTopic;
  }

  void setResponseTopic(@Nullable String topic) {
    this.responseTopic = topic;
  }

  /** The correlation data itself, not a copy: callers never change it. */
  @Nullable
  byte[] getCorrelationData() {
    return correlationData;
  }

  void setCorrelationData(@Nullable byte[] data) {
    this.correlationData = data;
  }

  @Nullable
  String getContentType() {
    return contentType;
  }

  void setContentType(@Nullable String contentType) {
    this.contentType = contentType;
  }

  /** Seconds, or null for none. */
  @Nullable
  Long getMessageExpiryInterval() {
    return messageExpiryInterval;
  }

  void setMessageExpiryInterval(@Nullable Long seconds) {
    this.messageExpiryInterval = seconds;
  }

  /** The user properties in order (the list given, not a copy), or null for none. */
  @Nullable
  List<MqttUserProperty> getUserProperties() {
    return userProperties;
  }

  void setUserProperties(@Nullable List<MqttUserProperty> properties) {
    this.userProperties = properties;
  }
}
