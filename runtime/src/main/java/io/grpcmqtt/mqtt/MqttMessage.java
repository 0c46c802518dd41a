package io.grpcmqtt.mqtt;

import io.grpcmqtt.internal.MqttMessageAccess;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One MQTT 5 application message: topic, payload, QoS, retain flag and the properties
 * applications set (response topic, correlation data, content type, message expiry, user
 * properties). Immutable; {@link Builder#build()} checks every string against MQTT's rules, so a
 * message that exists can be published.
 *
 * <pre>{@code
 * MqttMessage m = MqttMessage.builder("sensors/room1")
 *     .payload("21.5".getBytes(StandardCharsets.UTF_8))
 *     .qos(1)
 *     .userProperty("unit", "C")
 *     .build();
 * }</pre>
 */
public final class MqttMessage {
  static {
    // The runtime shares the arrays of its own messages instead of copying them (see there).
    MqttMessageAccess.install(new MqttMessageAccess.Accessor() {
      @Override
      public byte[] payload(MqttMessage m) {
        return m.payload;
      }

      @Override
      public byte[] correlationData(MqttMessage m) {
        return m.correlationData;
      }

      @Override
      public Builder builder(String topic, byte[] payload, @Nullable byte[] correlation) {
        Builder b = new Builder(topic);
        b.payload = Objects.requireNonNull(payload, "payload");
        b.correlationData = correlation;
        return b;
      }

      @Override
      public MqttMessage message(String topic, byte[] payload, int qos, boolean retain,
          @Nullable String responseTopic, @Nullable byte[] correlation,
          @Nullable String contentType, @Nullable Long expirySeconds,
          List<MqttUserProperty> userProperties, int publishSize) {
        if (qos < 0 || qos > 2) {
          throw new IllegalArgumentException("qos must be 0, 1 or 2, was " + qos);
        }
        check(topic, responseTopic, contentType, userProperties);
        return new MqttMessage(topic, Objects.requireNonNull(payload, "payload"), qos, retain,
            responseTopic, correlation, contentType, expirySeconds, userProperties, publishSize);
      }

      @Override
      public int publishSize(MqttMessage m) {
        return m.publishSize;
      }
    });
  }

  private final String topic;
  private final byte[] payload;
  private final int qos;
  private final boolean retain;
  @Nullable private final String responseTopic;
  @Nullable private final byte[] correlationData;
  @Nullable private final String contentType;
  @Nullable private final Long messageExpirySeconds;
  private final List<MqttUserProperty> userProperties;
  /**
   * The size of this message as one PUBLISH when the runtime counted it before it made the
   * message (under a broker's packet limit), else 0: the connection then need not count again.
   */
  private final int publishSize;

  private MqttMessage(Builder b) {
    this(b.topic, b.payload, b.qos, b.retain, b.responseTopic, b.correlationData, b.contentType,
        b.messageExpirySeconds, List.copyOf(b.userProperties), 0);
  }

  private MqttMessage(String topic, byte[] payload, int qos, boolean retain,
      @Nullable String responseTopic, @Nullable byte[] correlationData,
      @Nullable String contentType, @Nullable Long messageExpirySeconds,
      List<MqttUserProperty> userProperties, int publishSize) {
    this.topic = topic;
    this.payload = payload;
    this.qos = qos;
    this.retain = retain;
    this.responseTopic = responseTopic;
    this.correlationData = correlationData;
    this.contentType = contentType;
    this.messageExpirySeconds = messageExpirySeconds;
    this.userProperties = userProperties;
    this.publishSize = publishSize;
  }

  /** Throws for the first string MQTT would refuse; see {@link Builder#build()}. */
  private static void check(String topic, @Nullable String responseTopic,
      @Nullable String contentType, List<MqttUserProperty> userProperties) {
    MqttTopics.checkName("topic", topic);
    if (responseTopic != null) {
      MqttTopics.checkName("response topic", responseTopic);
    }
    if (contentType != null) {
      MqttTopics.checkText("content type", contentType);
    }
    for (int i = 0; i < userProperties.size(); i++) {
      MqttUserProperty p = userProperties.get(i);
      MqttTopics.checkText("a user property name", p.name());
      MqttTopics.checkText("the value of a user property", p.value());
    }
  }

  /** A message to {@code topic}: empty payload, QoS 1, not retained, no properties. */
  public static Builder builder(String topic) {
    return new Builder(topic);
  }

  /** A builder holding this message's settings, to make a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder(topic).payload(payload).qos(qos).retain(retain);
    b.responseTopic = responseTopic;
    b.correlationData = correlationData;
    b.contentType = contentType;
    b.messageExpirySeconds = messageExpirySeconds;
    b.userProperties.addAll(userProperties);
    return b;
  }

  public String topic() {
    return topic;
  }

  /** A copy of the payload. */
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload's length in bytes (without copying it). */
  public int payloadLength() {
    return payload.length;
  }

  /** 0, 1 or 2. */
  public int qos() {
    return qos;
  }

  public boolean retain() {
    return retain;
  }

  /** Where a request's answer should go, or null. */
  @Nullable
  public String responseTopic() {
    return responseTopic;
  }

  /** A copy of the correlation data, or null. */
  @Nullable
  public byte[] correlationData() {
    return correlationData == null ? null : correlationData.clone();
  }

  @Nullable
  public String contentType() {
    return contentType;
  }

  /** The message expiry interval in seconds, or null for none. */
  @Nullable
  public Long messageExpirySeconds() {
    return messageExpirySeconds;
  }

  /** The user properties, in order (names may repeat). */
  public List<MqttUserProperty> userProperties() {
    return userProperties;
  }

  /** The value of the last user property named {@code name}, or null. */
  @Nullable
  public String userProperty(String name) {
    String value = null;
    for (MqttUserProperty p : userProperties) {
      if (p.name().equals(name)) {
        value = p.value();
      }
    }
    return value;
  }

  @Override
  public String toString() {
    return "MqttMessage{topic=" + topic + ", " + payload.length + " bytes, qos=" + qos
        + (retain ? ", retained" : "") + "}";
  }

  /** Settings of an {@link MqttMessage}; each setter checks what it can alone, {@link #build} the rest. */
  public static final class Builder {
    private final String topic;
    private byte[] payload = new byte[0];
    private int qos = 1;
    private boolean retain;
    private String responseTopic;
    private byte[] correlationData;
    private String contentType;
    private Long messageExpirySeconds;
    private final List<MqttUserProperty> userProperties = new ArrayList<>();

    private Builder(String topic) {
      this.topic = Objects.requireNonNull(topic, "topic");
    }

    /** The payload (copied); default empty. */
    public Builder payload(byte[] payload) {
      this.payload = Objects.requireNonNull(payload, "payload").clone();
      return this;
    }

    /** 0, 1 (the default) or 2. */
    public Builder qos(int qos) {
      if (qos < 0 || qos > 2) {
        throw new IllegalArgumentException("qos must be 0, 1 or 2, was " + qos);
      }
      this.qos = qos;
      return this;
    }

    public Builder retain(boolean retain) {
      this.retain = retain;
      return this;
    }

    /** The Response Topic property; null for none. */
    public Builder responseTopic(@Nullable String topic) {
      this.responseTopic = topic;
      return this;
    }

    /** The Correlation Data property (copied); null for none. */
    public Builder correlationData(@Nullable byte[] data) {
      this.correlationData = data == null ? null : data.clone();
      return this;
    }

    /** The Content Type property; null for none. */
    public Builder contentType(@Nullable String contentType) {
      this.contentType = contentType;
      return this;
    }

    /** The Message Expiry Interval in seconds (0 to 4294967295); null for none. */
    public Builder messageExpirySeconds(@Nullable Long seconds) {
      if (seconds != null && (seconds < 0 || seconds > 0xFFFFFFFFL)) {
        throw new IllegalArgumentException("messageExpirySeconds must be 0..4294967295, was " + seconds);
      }
      this.messageExpirySeconds = seconds;
      return this;
    }

    /** Adds a user property (names may repeat; order is kept). */
    public Builder userProperty(String name, String value) {
      userProperties.add(new MqttUserProperty(name, value));
      return this;
    }

    /** Adds user properties, in order. */
    public Builder userProperties(List<MqttUserProperty> properties) {
      userProperties.addAll(properties);
      return this;
    }

    /**
     * The message.
     *
     * @throws IllegalArgumentException naming the first thing MQTT would refuse: a topic that is
     *     empty, holds a wildcard or a forbidden character, or is too long; a response topic
     *     likewise; a content type or user property with a forbidden character
     */
    public MqttMessage build() {
      check(topic, responseTopic, contentType, userProperties);
      return new MqttMessage(this);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MqttMessage)) {
      return false;
    }
    MqttMessage m = (MqttMessage) o;
    return topic.equals(m.topic) && Arrays.equals(payload, m.payload) && qos == m.qos
        && retain == m.retain && Objects.equals(responseTopic, m.responseTopic)
        && Arrays.equals(correlationData, m.correlationData)
        && Objects.equals(contentType, m.contentType)
        && Objects.equals(messageExpirySeconds, m.messageExpirySeconds)
        && userProperties.equals(m.userProperties);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, Arrays.hashCode(payload), qos, retain, responseTopic, contentType);
  }
}
