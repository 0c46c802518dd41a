package io.grpcmqtt.mqtt;

import java.util.Locale;

/**
 * The MQTT client library under a {@link MqttConnection}, and so under the channels and servers
 * of {@code MqttChannelBuilder} and {@code MqttServerBuilder}: both behave the same (publish
 * window, reconnect and resubscribe, TCP_NODELAY, manual acknowledgement); only the code that
 * talks to the broker differs. The exceptions are in docs/mqtt-connection.md: the HiveMQ client
 * takes no {@code SSLContext} or {@code SocketFactory}, re-sends in-flight publishes after a
 * reconnect instead of failing them, and loses its connection when Mosquitto 2.0.11 overruns the
 * receive maximum under manual acknowledgement.
 *
 * <p>The default is {@link #PAHO}, unless the system property {@value #PROPERTY} says {@code
 * hivemq} (or {@code paho}): a way to switch a whole process, e.g. a test run, without changing
 * code. A builder's own setting wins over the property.
 */
public enum MqttClientLibrary {
  /** Eclipse Paho MQTT v5 ({@code org.eclipse.paho.mqttv5.client}): blocking sockets, one callback thread. */
  PAHO,
  /**
   * The HiveMQ MQTT client ({@code com.hivemq:hivemq-mqtt-client}): Netty, decodes without
   * copying byte by byte, and queues publishes beyond the broker's receive maximum itself. Takes
   * TLS as trust and key managers ({@code tls(...)}), not as an {@code SSLContext} or a {@code
   * SocketFactory}.
   */
  HIVEMQ;

  /** The system property that chooses the default: {@code paho} or {@code hivemq}. */
  public static final String PROPERTY = "grpcmqtt.mqttClient";

  /**
   * The library used where none is chosen: the one {@value #PROPERTY} names, else {@link #PAHO}.
   *
   * @throws IllegalArgumentException when the property names neither
   */
  public static MqttClientLibrary fromSystemProperty() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      return PAHO;
    }
    switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "paho":
        return PAHO;
      case "hivemq":
        return HIVEMQ;
      default:
        throw new IllegalArgumentException(
            "system property " + PROPERTY + " is '" + value + "': use paho or hivemq");
    }
  }
}
