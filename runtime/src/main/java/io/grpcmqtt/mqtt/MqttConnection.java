package io.grpcmqtt.mqtt;

import io.grpcmqtt.internal.HiveMqttConnection;
import io.grpcmqtt.internal.PahoMqttConnection;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * One MQTT 5 client connection to a broker: windowed publishing, subscriptions with handlers,
 * reconnect with resubscribe. Thread-safe. See the {@linkplain io.grpcmqtt.mqtt package} for an
 * example and what it adds to a plain client library.
 *
 * <p>It is also the only way grpc-mqtt's own channels and servers reach a broker: they publish,
 * subscribe and hear of a lost connection through this interface (and {@link
 * MqttConnectionConfig#onConnectionLost}, {@link MqttConnectionConfig#onReconnect}), so either
 * {@link MqttClientLibrary} carries them.
 */
public interface MqttConnection extends AutoCloseable {

  /**
   * Connects with the config's {@linkplain MqttConnectionConfig#mqttClient() client library}
   * (Eclipse Paho v5 by default) and returns once the broker accepted the connection.
   *
   * @throws IOException naming the broker and the client id when it cannot connect within the
   *     connect timeout
   */
  static MqttConnection connect(MqttConnectionConfig config) throws IOException {
    return config.mqttClient() == MqttClientLibrary.HIVEMQ
        ? HiveMqttConnection.connect(config)
        : PahoMqttConnection.connect(config);
  }

  MqttConnectionConfig config();

  /** Whether the connection is up now (false while it reconnects, and once closed). */
  boolean isConnected();

  /**
   * The Maximum Packet Size the broker set in the CONNACK of the current connection (the last one
   * while it reconnects), in bytes, or 0 when it set none (MQTT's own limit, 268,435,460 bytes,
   * then applies). A PUBLISH larger than this is a protocol error the broker answers by closing
   * the connection, so a sender that cannot rule it out checks a message's size against it first.
   */
  long maximumPacketSize();

  /**
   * Publishes without blocking. A QoS 1 or 2 message beyond the broker's receive maximum waits,
   * in order, until a PUBACK frees a slot; while the connection is down, messages wait for the
   * reconnect. The future completes with the PUBACK's reason code (also a refusal, which is a
   * {@link MqttPublishResult} with a code of 0x80 or more), or fails with an {@code IOException}
   * when the connection is closed, the message was in flight when it was lost, or it is larger
   * than the broker's {@link #maximumPacketSize()} (then it was not sent, and the connection
   * stays up).
   */
  CompletableFuture<MqttPublishResult> publish(MqttMessage message);

  /**
   * Subscribes and waits for the broker's SUBACK; after a reconnect the subscription is made
   * again. A message is handed to the handler of the first subscription (in the order they were
   * made) whose filter matches its topic.
   *
   * @param filter a topic filter, or {@code $share/{group}/{filter}}
   * @param qos the maximum QoS (0, 1 or 2)
   * @throws IllegalArgumentException for a filter MQTT forbids
   * @throws IOException when the broker refuses the subscription (naming the filter and reason)
   *     or does not answer within the connect timeout
   */
  void subscribe(String filter, int qos, MqttMessageHandler handler) throws IOException;

  /**
   * Ends a subscription (and forgets it for reconnects); unknown filters are ignored. The future
   * completes when the broker's UNSUBACK arrives (from then on it routes nothing more to this
   * connection for the filter; at once for an unknown filter), or fails with an {@code
   * IOException}. Messages the broker routed before it took the UNSUBSCRIBE may arrive after this
   * call, even after the UNSUBACK: they still go to the subscription's handler (for 30 s), so a
   * consumer that stops loses none of them.
   */
  CompletableFuture<Void> unsubscribe(String filter);

  /**
   * Disconnects (ending the session), fails publishes still waiting and stops reconnecting.
   * Idempotent.
   */
  @Override
  void close();
}
