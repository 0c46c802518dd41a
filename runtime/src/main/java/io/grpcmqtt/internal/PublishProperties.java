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
  /**
   * The PUBLISH size {@link PublishSize} last counted for these properties (0: none since the last
   * change), and the topic, payload length, QoS and user property count it counted it with: under
   * a packet limit a frame is counted once, when the stream asks whether it fits, and the
   * connection takes that count instead of counting the message again.
   */
  private int size;
  @Nullable private String sizedTopic;
  private int sizedPayload;
  private int sizedQos;
  private int sizedUserCount;

  @Nullable
  String getResponseTopic() {
    return responseTopic;
  }

  void setResponseTopic(@Nullable String topic) {
    this.responseTopic = topic;
    size = 0;
  }

  /** The correlation data itself, not a copy: callers never change it. */
  @Nullable
  byte[] getCorrelationData() {
    return correlationData;
  }

  void setCorrelationData(@Nullable byte[] data) {
    this.correlationData = data;
    size = 0;
  }

  @Nullable
  String getContentType() {
    return contentType;
  }

  void setContentType(@Nullable String contentType) {
    this.contentType = contentType;
    size = 0;
  }

  /** Seconds, or null for none. */
  @Nullable
  Long getMessageExpiryInterval() {
    return messageExpiryInterval;
  }

  void setMessageExpiryInterval(@Nullable Long seconds) {
    this.messageExpiryInterval = seconds;
    size = 0;
  }

  /** The user properties in order (the list given, not a copy), or null for none. */
  @Nullable
  List<MqttUserProperty> getUserProperties() {
    return userProperties;
  }

  void setUserProperties(@Nullable List<MqttUserProperty> properties) {
    this.userProperties = properties;
    size = 0;
  }

  /** Remembers {@code size}, counted by {@link PublishSize} for a PUBLISH of these properties. */
  void sized(String topic, int payloadLength, int qos, int size) {
    this.sizedTopic = topic;
    this.sizedPayload = payloadLength;
    this.sizedQos = qos;
    this.sizedUserCount = userCount();
    this.size = size;
  }

  /**
   * The size counted for a PUBLISH of these properties to this topic, payload length and QoS, or
   * 0 when none was counted since the properties last changed (the topic is normally the very
   * string counted with, so {@code equals} returns at its identity check).
   */
  int publishSize(String topic, int payloadLength, int qos) {
    return size > 0 && topic.equals(sizedTopic) && payloadLength == sizedPayload && qos == sizedQos
        && userCount() == sizedUserCount ? size : 0;
  }

  private int userCount() {
    return userProperties == null ? 0 : userProperties.size();
  }
}
