package io.grpcmqtt.internal;

import java.util.List;
import javax.annotation.Nullable;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * The size in bytes of an MQTT 5 PUBLISH packet, counted as the broker counts it against its
 * Maximum Packet Size (MQTT 5 §3.1.2.11.4: the whole packet, fixed header included). Only the
 * properties the runtime sets are counted.
 */
final class PublishSize {
  /** The largest packet MQTT can encode: a 4-byte remaining length of 268,435,455 plus 5. */
  static final int PROTOCOL_MAX = 268_435_460;

  private PublishSize() {}

  static int of(String topic, @Nullable MqttProperties properties, int payloadLength, int qos) {
    long props = propertiesLength(properties);
    long remaining = 2L + utf8Length(topic) + (qos > 0 ? 2 : 0)
        + varIntSize(props) + props + payloadLength;
    long total = 1 + varIntSize(remaining) + remaining;
    return total > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) total;
  }

  private static long propertiesLength(@Nullable MqttProperties p) {
    if (p == null) {
      return 0;
    }
    long n = 0;
    if (p.getPayloadFormat()) {
      n += 2;
    }
    if (p.getMessageExpiryInterval() != null) {
      n += 5;
    }
    if (p.getTopicAlias() != null) {
      n += 3;
    }
    if (p.getResponseTopic() != null) {
      n += 3 + utf8Length(p.getResponseTopic());
    }
    if (p.getCorrelationData() != null) {
      n += 3 + p.getCorrelationData().length;
    }
    if (p.getContentType() != null) {
      n += 3 + utf8Length(p.getContentType());
    }
    List<UserProperty> user = p.getUserProperties();
    if (user != null) {
      for (UserProperty up : user) {
        n += 5 + utf8Length(up.getKey()) + utf8Length(up.getValue());
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
