package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttConnectionConfig;
import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttMessageHandler;
import io.grpcmqtt.mqtt.MqttPublishResult;
import io.grpcmqtt.mqtt.MqttTopics;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link io.grpcmqtt.mqtt.MqttConnection} on the runtime's own Paho connection ({@link
 * MqttConnection}): its publish window, its reconnect with a fresh client. This class only
 * translates between the public types and Paho's, and keeps the subscriptions for resubscribing.
 */
public final class PahoMqttConnection implements io.grpcmqtt.mqtt.MqttConnection, MqttConnection.Listener {
  private static final Logger log = LoggerFactory.getLogger(PahoMqttConnection.class);

  private final MqttConnectionConfig config;
  private final MqttConnection connection;
  /** Filter to (qos, handler), in subscribe order. */
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean connected;

  private record Subscription(int qos, MqttMessageHandler handler) {}

  private PahoMqttConnection(MqttConnectionConfig config) throws IOException {
    this.config = config;
    ConnectionConfig.Builder b = ConnectionConfig.builder(config.brokerUri().toString(), "grpcmqttm")
        .clientId(config.clientId())
        .keepAlive(config.keepAlive())
        .connectTimeout(config.connectTimeout())
        .sessionExpiry(config.sessionExpiry());
    if (config.username() != null) {
      b.credentials(config.username(), config.password());
    }
    if (config.socketFactory() != null) {
      b.socketFactory(config.socketFactory());
    }
    MqttMessage will = config.will();
    this.connection = new MqttConnection(b.build(),
        will == null ? null : new MqttConnection.Will(will.topic(), will.payload(), will.qos(), will.retain(), toPaho(will)),
        config.automaticReconnect(), this);
    if (config.manualAcknowledgement() > 0) {
      connection.acknowledgeManually(config.manualAcknowledgement());
    }
  }

  /** See {@link io.grpcmqtt.mqtt.MqttConnection#connect}. */
  public static PahoMqttConnection connect(MqttConnectionConfig config) throws IOException {
    PahoMqttConnection c = new PahoMqttConnection(config);
    c.connection.connect();
    c.connected = true;
    log.info("MQTT connection '{}' to {} up", config.clientId(), config.brokerUri());
    return c;
  }

  @Override
  public MqttConnectionConfig config() {
    return config;
  }

  @Override
  public boolean isConnected() {
    return connected && !closed.get();
  }

  @Override
  public long maximumPacketSize() {
    int max = connection.maximumPacketSize();
    return max == PublishSize.PROTOCOL_MAX ? 0 : max;
  }

  @Override
  public CompletableFuture<MqttPublishResult> publish(MqttMessage message) {
    CompletableFuture<MqttPublishResult> result = new CompletableFuture<>();
    connection.publish(message.topic(), message.payload(), message.qos(), message.retain(),
        toPaho(message), new MqttConnection.PublishCallback() {
          @Override
          public void published(int reasonCode) {
            result.complete(new MqttPublishResult(reasonCode));
          }

          @Override
          public void failed(Throwable cause) {
            result.completeExceptionally(cause instanceof IOException || cause instanceof IllegalArgumentException
                ? cause : new IOException(MqttConnection.describe(cause), cause));
          }
        });
    return result;
  }

  @Override
  public void subscribe(String filter, int qos, MqttMessageHandler handler) throws IOException {
    MqttTopics.checkFilter("topic filter", filter);
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2, was " + qos);
    }
    java.util.Objects.requireNonNull(handler, "handler");
    if (subscriptions.putIfAbsent(filter, new Subscription(qos, handler)) != null) {
      throw new IllegalArgumentException("already subscribed to '" + filter + "'");
    }
    order.add(filter);
    try {
      connection.subscribe(List.of(new MqttSubscription(filter, qos)));
    } catch (IOException e) {
      order.remove(filter);
      subscriptions.remove(filter);
      throw e;
    }
  }

  @Override
  public void unsubscribe(String filter) {
    if (subscriptions.remove(filter) != null) {
      order.remove(filter);
      connection.unsubscribeFuture(List.of(filter)).whenComplete((ok, error) -> {
        if (error != null) {
          log.warn("unsubscribe of '{}' on '{}' failed: {}", filter, config.clientId(), error.toString());
        }
      });
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      connected = false;
      connection.close(null, null, false, new MqttProperties());
      log.info("MQTT connection '{}' to {} closed", config.clientId(), config.brokerUri());
    }
  }

  // --- MqttConnection.Listener (Paho's callback thread) ---

  @Override
  public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
    int generation = connection.generation();
    Delivery delivery = new Delivery(fromPaho(topic, message), message.getId(), message.getQos(), generation);
    MqttMessageHandler handler = null;
    for (String filter : order) {
      if (MqttTopics.matches(filter, topic)) {
        Subscription s = subscriptions.get(filter);
        if (s != null) {
          handler = s.handler();
          break;
        }
      }
    }
    if (handler == null) {
      delivery.acknowledge();
      return;
    }
    try {
      handler.onMessage(delivery);
    } catch (RuntimeException e) {
      log.error("The handler of a message on '{}' failed; the message is acknowledged", topic, e);
      delivery.acknowledge();
      return;
    }
    if (config.manualAcknowledgement() == 0) {
      delivery.acknowledge();
    }
  }

  @Override
  public void connectionLost(Throwable cause) {
    connected = false;
    if (!closed.get()) {
      log.warn("MQTT connection '{}' to {} lost ({}){}", config.clientId(), config.brokerUri(),
          MqttConnection.describe(cause), config.automaticReconnect() ? "; reconnecting" : "");
    }
  }

  @Override
  public void reconnected() {
    connected = true;
    List<MqttSubscription> again = new ArrayList<>();
    for (String filter : order) {
      Subscription s = subscriptions.get(filter);
      if (s != null) {
        again.add(new MqttSubscription(filter, s.qos()));
      }
    }
    // A clean session lost its subscriptions; a kept one does not mind them made again.
    connection.subscribeAsync(again);
    log.info("MQTT connection '{}' to {} back; {} subscription(s) renewed", config.clientId(),
        config.brokerUri(), again.size());
    try {
      config.onReconnect().run();
    } catch (RuntimeException e) {
      log.error("The reconnect action of MQTT connection '{}' failed", config.clientId(), e);
    }
  }

  private final class Delivery implements MqttDelivery {
    private final MqttMessage message;
    private final int id;
    private final int qos;
    private final int generation;
    private final AtomicBoolean acknowledged = new AtomicBoolean();

    Delivery(MqttMessage message, int id, int qos, int generation) {
      this.message = message;
      this.id = id;
      this.qos = qos;
      this.generation = generation;
    }

    @Override
    public MqttMessage message() {
      return message;
    }

    @Override
    public void acknowledge() {
      if (config.manualAcknowledgement() > 0 && acknowledged.compareAndSet(false, true)) {
        connection.acknowledge(id, qos, generation);
      }
    }
  }

  // --- translation ---

  private static MqttProperties toPaho(MqttMessage m) {
    MqttProperties p = new MqttProperties();
    if (m.responseTopic() != null) {
      p.setResponseTopic(m.responseTopic());
    }
    if (m.correlationData() != null) {
      p.setCorrelationData(m.correlationData());
    }
    if (m.contentType() != null) {
      p.setContentType(m.contentType());
    }
    if (m.messageExpirySeconds() != null) {
      p.setMessageExpiryInterval(m.messageExpirySeconds());
    }
    if (!m.userProperties().isEmpty()) {
      List<UserProperty> user = new ArrayList<>(m.userProperties().size());
      for (MqttUserProperty u : m.userProperties()) {
        user.add(new UserProperty(u.name(), u.value()));
      }
      p.setUserProperties(user);
    }
    return p;
  }

  /**
   * A received message as the public type. A broker may pass on strings MQTT says it should not
   * (control characters): such text is cleaned rather than the message lost.
   */
  static MqttMessage fromPaho(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) {
    MqttProperties p = m.getProperties();
    try {
      return build(topic, m, p, false);
    } catch (IllegalArgumentException e) {
      log.debug("A message on '{}' holds text MQTT forbids ({}); cleaned", MqttStrings.sanitize(topic), e.getMessage());
      return build(topic, m, p, true);
    }
  }

  private static MqttMessage build(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m,
      MqttProperties p, boolean clean) {
    MqttMessage.Builder b = MqttMessage.builder(clean ? MqttStrings.sanitize(topic) : topic)
        .payload(m.getPayload())
        .qos(m.getQos())
        .retain(m.isRetained());
    if (p != null) {
      if (p.getResponseTopic() != null) {
        b.responseTopic(clean ? MqttStrings.sanitize(p.getResponseTopic()) : p.getResponseTopic());
      }
      b.correlationData(p.getCorrelationData());
      if (p.getContentType() != null) {
        b.contentType(clean ? MqttStrings.sanitize(p.getContentType()) : p.getContentType());
      }
      if (p.getMessageExpiryInterval() != null) {
        b.messageExpirySeconds(p.getMessageExpiryInterval());
      }
      if (p.getUserProperties() != null) {
        for (UserProperty u : p.getUserProperties()) {
          b.userProperty(clean ? MqttStrings.sanitize(u.getKey()) : u.getKey(),
              clean ? MqttStrings.sanitize(u.getValue()) : u.getValue());
        }
      }
    }
    return b.build();
  }
}
