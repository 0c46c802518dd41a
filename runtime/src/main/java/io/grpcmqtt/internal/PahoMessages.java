package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttConnectionConfig;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * What {@link PahoMqttConnection} hands Paho and takes from it: the connect options made from a
 * config, a PUBLISH's properties, a received message as the public type. Pure: no state, no
 * threads; called, never a step a message passes through on its own.
 */
final class PahoMessages {
  private PahoMessages() {}

  /** The CONNECT of {@code config}: session, keep-alive, TCP_NODELAY sockets, credentials, will. */
  static MqttConnectionOptions options(MqttConnectionConfig config) {
    MqttConnectionOptions options = new MqttConnectionOptions();
    // A session that outlives the connection keeps the subscriptions, so QoS 1 requests
    // published while this client is briefly away are delivered when it returns.
    long sessionSeconds = config.sessionExpiry().toSeconds();
    options.setCleanStart(sessionSeconds == 0);
    if (sessionSeconds > 0) {
      options.setSessionExpiryInterval(sessionSeconds);
    }
    // Paho's own reconnect resends the lost connection's in-flight publishes on top of new
    // ones, beyond the broker's receive maximum (Mosquitto then disconnects with 0x82, over and
    // over): PahoMqttConnection reconnects itself, with a fresh client.
    options.setAutomaticReconnect(false);
    options.setKeepAliveInterval((int) config.keepAlive().toSeconds());
    options.setConnectionTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
    int manual = config.manualAcknowledgement();
    options.setReceiveMaximum(manual > 0 ? manual : MqttConnectionConfig.UNLIMITED_RECEIVE_MAXIMUM);
    SocketFactory given = config.socketFactory();
    options.setSocketFactory(given != null ? NoDelaySocketFactory.wrap(given)
        : isTls(config) ? NoDelaySocketFactory.wrap(tlsContext(config).getSocketFactory())
        : NoDelaySocketFactory.plain());
    if (config.username() != null) {
      options.setUserName(config.username());
      byte[] password = config.password();
      if (password != null) {
        options.setPassword(password);
      }
    }
    MqttMessage will = config.will();
    if (will != null) {
      org.eclipse.paho.mqttv5.common.MqttMessage willMessage =
          new org.eclipse.paho.mqttv5.common.MqttMessage(will.payload());
      willMessage.setQos(will.qos());
      willMessage.setRetained(will.retain());
      options.setWill(will.topic(), willMessage);
      MqttProperties willProperties = properties(will);
      if (!config.willDelay().isZero()) {
        willProperties.setWillDelayInterval(config.willDelay().toSeconds());
      }
      options.setWillMessageProperties(willProperties);
    }
    return options;
  }

  private static boolean isTls(MqttConnectionConfig config) {
    String scheme = config.brokerUri().getScheme();
    return scheme.equals("ssl") || scheme.equals("wss");
  }

  private static javax.net.ssl.SSLContext tlsContext(MqttConnectionConfig config) {
    return ConnectionConfig.builder(config.brokerUri().toString(), "grpcmqttm")
        .tls(config.trustManagers(), config.keyManagers())
        .build()
        .tlsContext();
  }

  /** The properties of a PUBLISH (or will) of {@code m}. */
  static MqttProperties properties(MqttMessage m) {
    MqttProperties p = new MqttProperties();
    if (m.responseTopic() != null) {
      p.setResponseTopic(m.responseTopic());
    }
    byte[] correlation = MqttMessageAccess.correlationData(m);
    if (correlation != null) {
      p.setCorrelationData(correlation);
    }
    if (m.contentType() != null) {
      p.setContentType(m.contentType());
    }
    if (m.messageExpirySeconds() != null) {
      p.setMessageExpiryInterval(m.messageExpirySeconds());
    }
    List<MqttUserProperty> user = m.userProperties();
    if (!user.isEmpty()) {
      List<UserProperty> paho = new ArrayList<>(user.size());
      for (int i = 0; i < user.size(); i++) {
        MqttUserProperty u = user.get(i);
        paho.add(new UserProperty(u.name(), u.value()));
      }
      p.setUserProperties(paho);
    }
    return p;
  }

  /** A received message as the public type; its arrays are Paho's, shared, not copied. */
  static MqttMessage received(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) {
    MqttProperties p = m.getProperties();
    List<UserProperty> received = p == null ? null : p.getUserProperties();
    List<MqttUserProperty> user;
    if (received == null || received.isEmpty()) {
      user = List.of();
    } else {
      MqttUserProperty[] copied = new MqttUserProperty[received.size()];
      for (int i = 0; i < copied.length; i++) {
        UserProperty u = received.get(i);
        copied[i] = new MqttUserProperty(u.getKey(), u.getValue());
      }
      user = new UserPropertyList(copied);
    }
    return ReceivedMessages.of(topic, m.getPayload(), m.getQos(), m.isRetained(),
        p == null ? null : p.getResponseTopic(), p == null ? null : p.getCorrelationData(),
        p == null ? null : p.getContentType(), p == null ? null : p.getMessageExpiryInterval(),
        user);
  }
}
