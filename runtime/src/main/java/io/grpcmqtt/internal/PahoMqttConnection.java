package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttConnectionConfig;
import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttMessageHandler;
import io.grpcmqtt.mqtt.MqttPublishResult;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link io.grpcmqtt.mqtt.MqttConnection} on Eclipse Paho v5, the default: {@link PahoClient}
 * brings the publish window and the reconnect with a fresh client; this class translates between
 * the public types and Paho's, and keeps the subscriptions for resubscribing. With {@link
 * HiveMqttConnection}, the only classes that touch a client library.
 */
public final class PahoMqttConnection implements io.grpcmqtt.mqtt.MqttConnection, PahoClient.Listener {
  private static final Logger log = LoggerFactory.getLogger(PahoMqttConnection.class);

  private final MqttConnectionConfig config;
  private final PahoClient connection;
  private final SubscriptionTable subscriptions;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean connected;

  private PahoMqttConnection(MqttConnectionConfig config) throws IOException {
    this.config = config;
    this.subscriptions = new SubscriptionTable(config.manualAcknowledgement() > 0);
    ConnectionConfig.Builder b = ConnectionConfig.builder(config.brokerUri().toString(), "grpcmqttm")
        .clientId(config.clientId())
        .keepAlive(config.keepAlive())
        .connectTimeout(config.connectTimeout())
        .sessionExpiry(config.sessionExpiry())
        .willDelay(config.willDelay())
        .tls(config.trustManagers(), config.keyManagers());
    if (config.username() != null) {
      b.credentials(config.username(), config.password());
    }
    if (config.socketFactory() != null) {
      b.socketFactory(config.socketFactory());
    }
    MqttMessage will = config.will();
    this.connection = new PahoClient(b.build(),
        will == null ? null : new PahoClient.Will(will.topic(), will.payload(), will.qos(), will.retain(), toPaho(will)),
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
    // The broker disconnects a client that sends a packet above its limit (reason 0x95), which
    // would end everything on the connection: only this publish fails.
    int max = connection.maximumPacketSize();
    if (max < PublishSize.PROTOCOL_MAX) {
      int size = PublishSize.of(message);
      if (size > max) {
        result.completeExceptionally(new PacketTooLargeException(size, max));
        return result;
      }
    }
    connection.publish(message.topic(), MqttMessageAccess.payload(message), message.qos(),
        message.retain(),
        toPaho(message), new PahoClient.PublishCallback() {
          @Override
          public void published(int reasonCode) {
            result.complete(new MqttPublishResult(reasonCode));
          }

          @Override
          public void failed(Throwable cause) {
            result.completeExceptionally(cause instanceof IOException || cause instanceof IllegalArgumentException
                ? cause : new IOException(PahoClient.describe(cause), cause));
          }
        });
    return result;
  }

  @Override
  public void subscribe(String filter, int qos, MqttMessageHandler handler) throws IOException {
    subscriptions.add(filter, qos, handler);
    try {
      connection.subscribe(List.of(new MqttSubscription(filter, qos)));
    } catch (IOException e) {
      subscriptions.remove(filter);
      throw e;
    }
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String filter) {
    if (!subscriptions.remove(filter)) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    connection.unsubscribeFuture(List.of(filter)).whenComplete((ok, error) -> {
      if (error == null) {
        done.complete(null);
      } else {
        log.warn("unsubscribe of '{}' on '{}' failed: {}", filter, config.clientId(), error.toString());
        done.completeExceptionally(error instanceof IOException ? error
            : new IOException("unsubscribe of '" + filter + "' failed: " + PahoClient.describe(error), error));
      }
    });
    return done;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      connected = false;
      connection.close();
      log.info("MQTT connection '{}' to {} closed", config.clientId(), config.brokerUri());
    }
  }

  // --- PahoClient.Listener (Paho's callback thread) ---

  @Override
  public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
    int generation = connection.generation();
    subscriptions.deliver(
        new Delivery(fromPaho(topic, message), message.getId(), message.getQos(), generation));
  }

  @Override
  public void connectionLost(Throwable cause) {
    connected = false;
    if (closed.get()) {
      return;
    }
    log.warn("MQTT connection '{}' to {} lost ({}){}", config.clientId(), config.brokerUri(),
        PahoClient.describe(cause), config.automaticReconnect() ? "; reconnecting" : "");
    try {
      config.onConnectionLost().accept(cause);
    } catch (RuntimeException e) {
      log.error("The connection-lost action of MQTT connection '{}' failed", config.clientId(), e);
    }
  }

  @Override
  public void reconnected() {
    connected = true;
    List<MqttSubscription> again = new ArrayList<>();
    for (SubscriptionTable.Subscription s : subscriptions.all()) {
      again.add(new MqttSubscription(s.filter(), s.qos()));
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
    if (!m.userProperties().isEmpty()) {
      List<UserProperty> user = new ArrayList<>(m.userProperties().size());
      for (MqttUserProperty u : m.userProperties()) {
        user.add(new UserProperty(u.name(), u.value()));
      }
      p.setUserProperties(user);
    }
    return p;
  }

  /** A received message as the public type. */
  static MqttMessage fromPaho(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) {
    MqttProperties p = m.getProperties();
    List<UserProperty> received = p == null ? null : p.getUserProperties();
    List<MqttUserProperty> user = new ArrayList<>(received == null ? 0 : received.size());
    if (received != null) {
      for (UserProperty u : received) {
        user.add(new MqttUserProperty(u.getKey(), u.getValue()));
      }
    }
    return ReceivedMessages.of(topic, m.getPayload(), m.getQos(), m.isRetained(),
        p == null ? null : p.getResponseTopic(), p == null ? null : p.getCorrelationData(),
        p == null ? null : p.getContentType(), p == null ? null : p.getMessageExpiryInterval(),
        user);
  }
}
