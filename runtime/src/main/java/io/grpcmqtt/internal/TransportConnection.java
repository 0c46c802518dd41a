package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttConnection;
import io.grpcmqtt.mqtt.MqttConnectionConfig;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttPublishResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT connection of one channel or server transport: a public {@link MqttConnection} (of
 * whichever {@link io.grpcmqtt.mqtt.MqttClientLibrary} the config names) seen the way the
 * transports use it, for what is per transport: it connects with the transport's will, hands each
 * message that arrives to the {@link Listener} of the subscription that took it, with the call
 * executor's hand-offs deferred ({@link DeferringExecutor}), publishes the transport's own
 * messages, names the broker's packet limit and closes with a final status. A call's frames do
 * not pass through here: its {@link StreamPublisher} hands them to {@link #publisher()}. The
 * client library itself is not visible from here.
 */
final class TransportConnection {
  private static final Logger log = LoggerFactory.getLogger(TransportConnection.class);
  /** How long a closing transport waits for the PUBACK of its final status. */
  private static final long FINAL_STATUS_MILLIS = 2_000;

  /**
   * Receives what arrives on one subscription: the code for that kind of message, so it need not
   * look at the topic to know what it got. Runs on the connection's delivery thread and must not
   * block.
   */
  interface Listener {
    void messageArrived(MqttMessage message);
  }

  /** Outcome of one publish. Runs on a thread of the connection or the publishing thread. */
  interface PublishCallback {
    /** The broker took the message; reasonCode is the PUBACK reason (0 for QoS 0). */
    void published(int reasonCode);

    void failed(Throwable cause);
  }

  /**
   * What both client-library connections offer besides the public {@link MqttConnection#publish}:
   * the outcome goes straight to a callback, without a future per publish (and the runtime's
   * dependent stage on it). Same order, window and checks as the public method.
   */
  interface CallbackPublisher {
    void publish(MqttMessage message, PublishCallback callback);
  }

  /**
   * Tells {@code callback} its publish was acknowledged. What it throws is logged, not passed on:
   * the connection's thread (Paho's callback thread, a Netty thread) and the publishes reported
   * after this one go on, as they did when a future stood between them.
   */
  static void published(PublishCallback callback, int reasonCode) {
    try {
      callback.published(reasonCode);
    } catch (RuntimeException e) {
      log.error("a publish callback failed", e);
    }
  }

  /** Tells {@code callback} its publish failed; what it throws is logged, as in {@link #published}. */
  static void failed(PublishCallback callback, Throwable cause) {
    try {
      callback.failed(cause);
    } catch (RuntimeException e) {
      log.error("a publish callback failed", e);
    }
  }

  /** A callback that completes {@code future}: the public publish on top of the callback one. */
  static PublishCallback completing(CompletableFuture<MqttPublishResult> future) {
    return new PublishCallback() {
      @Override
      public void published(int reasonCode) {
        future.complete(new MqttPublishResult(reasonCode));
      }

      @Override
      public void failed(Throwable cause) {
        future.completeExceptionally(cause);
      }
    };
  }

  static final PublishCallback IGNORE =
      new PublishCallback() {
        @Override
        public void published(int reasonCode) {}

        @Override
        public void failed(Throwable cause) {}
      };

  private final ConnectionConfig config;
  private final MqttConnection connection;
  /** See {@link #publisher()}. */
  private final CallbackPublisher publisher;

  private TransportConnection(ConnectionConfig config, MqttConnection connection) {
    this.config = config;
    this.connection = connection;
    this.publisher = connection instanceof CallbackPublisher
        ? (CallbackPublisher) connection : this::publishThroughFuture;
  }

  /**
   * Connects and returns once the broker accepted the connection.
   *
   * @param will published by the broker when this connection ends unexpectedly (QoS 1)
   * @param reconnect whether a lost connection is replaced (subscriptions made again, then
   *     {@code reconnected} runs); without, {@code lost} is the end
   * @throws IOException naming the broker and client id when it cannot connect
   */
  static TransportConnection open(
      ConnectionConfig config,
      String willTopic,
      String willPayload,
      boolean willRetained,
      boolean reconnect,
      Consumer<Throwable> lost,
      Runnable reconnected)
      throws IOException {
    MqttConnectionConfig.Builder b = MqttConnectionConfig.builder(config.brokerUriString())
        .clientId(config.clientId())
        .keepAlive(config.keepAlive())
        .connectTimeout(config.connectTimeout())
        .sessionExpiry(config.sessionExpiry())
        .willDelay(config.willDelay())
        .mqttClient(config.mqttClient())
        .tls(config.trustManagers(), config.keyManagers())
        .automaticReconnect(reconnect)
        .will(MqttMessage.builder(willTopic)
            .payload(willPayload.getBytes(StandardCharsets.UTF_8))
            .qos(1)
            .retain(willRetained)
            .build())
        .onConnectionLost(lost)
        .onReconnect(reconnected);
    if (config.username() != null) {
      b.credentials(config.username(), config.password());
    }
    if (config.socketFactory() != null) {
      b.socketFactory(config.socketFactory());
    }
    return new TransportConnection(config, MqttConnection.connect(b.build()));
  }

  /**
   * Subscribes, waiting for the SUBACK; the connection renews it after a reconnect. What arrives
   * on it goes to {@code listener}, one message at a time, with the hand-offs to the call
   * executor that it makes held back until it returns (one executor task per call and message).
   * Where filters overlap, the one subscribed first takes the message.
   */
  void subscribe(String filter, int qos, Listener listener) throws IOException {
    connection.subscribe(filter, qos, DeferringExecutor.handler(config.callExecutor(), listener));
  }

  /** Unsubscribes; the future completes once the broker confirmed every filter. */
  CompletableFuture<Void> unsubscribe(List<String> filters) {
    return CompletableFuture.allOf(
        filters.stream().map(connection::unsubscribe).toArray(CompletableFuture[]::new));
  }

  /** The largest PUBLISH the broker accepts, in bytes (MQTT's own limit when it named none). */
  int maximumPacketSize() {
    long max = connection.maximumPacketSize();
    return max <= 0 || max > PublishSize.PROTOCOL_MAX ? PublishSize.PROTOCOL_MAX : (int) max;
  }

  /**
   * Where this connection's publishes go, the outcome straight to a callback: the connection
   * itself when it takes callbacks (both client libraries' do), else its public {@link
   * MqttConnection#publish} with the callback on its future. A stream's {@link StreamPublisher}
   * hands its messages to it directly; the transports' own publishes go through {@link #publish}.
   */
  CallbackPublisher publisher() {
    return publisher;
  }

  /**
   * Publishes one of the transport's own messages (statuses, refusals, probes, the barrier) in
   * order without blocking (a publish beyond the broker's receive maximum waits in the
   * connection). The payload and correlation data are handed over, not copied: the caller must
   * not change them afterward. Strings MQTT forbids fail this publish only ({@link
   * Publishes#message}).
   */
  void publish(
      String topic,
      byte[] payload,
      int qos,
      boolean retained,
      @Nullable PublishProperties properties,
      PublishCallback callback) {
    MqttMessage message = Publishes.message(topic, payload, qos, retained, properties, callback);
    if (message != null) {
      publisher.publish(message, callback);
    }
  }

  /** The fallback {@link #publisher()} of a connection that takes no callbacks. */
  private void publishThroughFuture(MqttMessage message, PublishCallback callback) {
    connection.publish(message).whenComplete((result, error) -> {
      if (error == null) {
        callback.published(result.reasonCode());
      } else {
        callback.failed(error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error);
      }
    });
  }

  static String describe(Throwable t) {
    String message = t.getMessage();
    if (t.getCause() != null && t.getCause() != t) {
      message = message + " (" + t.getCause() + ")";
    }
    return message;
  }

  /**
   * Publishes a final status (QoS 1, waiting up to 2 s for its PUBACK) and closes the connection.
   * Waits for the broker: never on the connection's delivery thread ({@link TransportLifecycle}
   * runs it on the runtime's blocking executor).
   */
  void close(String statusTopic, boolean retained, @Nullable PublishProperties props) {
    if (connection.isConnected()) {
      CompletableFuture<Void> sent = new CompletableFuture<>();
      publish(statusTopic, Topics.OFFLINE.getBytes(StandardCharsets.UTF_8), 1, retained, props,
          new PublishCallback() {
            @Override
            public void published(int reasonCode) {
              sent.complete(null);
            }

            @Override
            public void failed(Throwable cause) {
              sent.completeExceptionally(cause);
            }
          });
      try {
        sent.get(FINAL_STATUS_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        log.debug("final status of {} not published: {}", config.clientId(), e.toString());
      }
    }
    connection.close();
  }
}
