package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.List;
import javax.annotation.Nullable;

/**
 * The size in bytes of an MQTT 5 PUBLISH packet, counted as the broker counts it against its
 * Maximum Packet Size (MQTT 5 §3.1.2.11.4: the whole packet, fixed header included). Only the
 * properties the runtime sets are counted.
 */
final class PublishSize {
  /** The largest packet MQTT can encode: a 4-byte remaining length of 268,435,455 plus 5. */
  static final int PROTOCOL_MAX = 268_435_460;

  private PublishSize() {}

  static int of(String topic, @Nullable PublishProperties properties, int payloadLength, int qos) {
    long props = properties == null ? 0 : propertiesLength(properties.getMessageExpiryInterval(),
        properties.getResponseTopic(), properties.getCorrelationData(),
        properties.getContentType(), properties.getUserProperties());
    int size = total(topic, props, payloadLength, qos);
    if (properties != null) {
      properties.sized(topic, payloadLength, qos, size);
    }
    return size;
  }

  /**
   * The size of {@code message} as one PUBLISH: the runtime's count when it made the message from
   * properties it counted already, else counted now.
   */
  static int of(MqttMessage m) {
    int known = MqttMessageAccess.publishSize(m);
    if (known > 0) {
      return known;
    }
    byte[] correlation = MqttMessageAccess.correlationData(m);
    long props = propertiesLength(m.messageExpirySeconds(), m.responseTopic(), correlation,
        m.contentType(), m.userProperties());
    return total(m.topic(), props, m.payloadLength(), m.qos());
  }

  private static int total(String topic, long props, int payloadLength, int qos) {
    long remaining = 2L + utf8Length(topic) + (qos > 0 ? 2 : 0)
        + varIntSize(props) + props + payloadLength;
    long total = 1 + varIntSize(remaining) + remaining;
    return total > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) total;
  }

  private static long propertiesLength(@Nullable Long expiry, @Nullable String responseTopic,
      @Nullable byte[] correlation, @Nullable String contentType,
      @Nullable List<MqttUserProperty> user) {
    long n = 0;
    if (expiry != null) {
      n += 5;
    }
    if (responseTopic != null) {
      n += 3 + utf8Length(responseTopic);
    }
    if (correlation != null) {
      n += 3 + correlation.length;
    }
    if (contentType != null) {
      n += 3 + utf8Length(contentType);
    }
    if (user != null) {
      for (int i = 0; i < user.size(); i++) { // indexed: no iterator per publish
        MqttUserProperty up = user.get(i);
        n += 5 + utf8Length(up.name()) + utf8Length(up.value());
      }
    }
    return n;
  }

  static int varIntSize(long value) {
    if (value < 128) {
      return 1;
    } else if (value < 16_384) {
      return 2;
    } else if (value < 2_097_152) {
      return 3;
    }
    return 4;
  }

  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
