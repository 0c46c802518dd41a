package io.grpcmqtt.gateway.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpcmqtt.gateway.store.StoredMessage;
import io.grpcmqtt.mqtt.MqttConnection;
import io.grpcmqtt.mqtt.MqttConnectionConfig;
import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gateway's plain-MQTT side, on one connection of its own (the runtime's public {@link
 * MqttConnection}): it mirrors stored messages onto their topics and takes plain publishes from
 * subscriptions (ingest filters, the device path) into the queues.
 *
 * <p><b>No loops, no duplicates.</b> Every mirrored message carries the user property {@value
 * #MSG_ID_PROPERTY}; a subscription never stores a message that has it. That, rather than MQTT 5
 * No Local, is the guard because subscriptions are shared ({@code $share/robustmq-gateway/…}, so
 * that several instances store each publish once) and No Local is a protocol error on shared
 * subscriptions; it also stops loops between instances, which No Local would not. A message taken
 * from a topic is not mirrored back onto that same topic.
 *
 * <p>A subscribed message is acknowledged (PUBACK) only once it is stored, and at most {@value
 * #RECEIVE_MAXIMUM} are taken at a time, so a slow store slows the broker's delivery instead of
 * growing memory. Mirror publishes are QoS 1 within the broker's receive maximum (the connection's
 * window); beyond {@value #MAX_MIRROR_BACKLOG} waiting (broker gone) new ones are dropped and
 * counted in a WARN.
 */
public final class MqttBridge implements Mirror, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MqttBridge.class);
  /** Marks a message as a Gateway mirror; its value is the message's msg_id. */
  public static final String MSG_ID_PROPERTY = "robustmq-msg-id";
  /** The shared-subscription group of every Gateway instance's plain subscriptions. */
  public static final String SHARE_GROUP = "robustmq-gateway";
  static final int RECEIVE_MAXIMUM = 100;
  static final int MAX_MIRROR_BACKLOG = 10_000;
  private static final long STORE_RETRY_MILLIS = 1_000;
  private static final long STORE_RETRY_LIMIT_MILLIS = 30_000;

  /** What to do with a plain publish on a subscribed filter; throws to refuse it. */
  public interface Handler {
    void handle(String topic, byte[] payload, Map<String, String> headers) throws StatusException;
  }

  private final MqttConnectionConfig config;
  @Nullable private final String mirrorPrefix;
  private final GatewayExecutors executors;
  private final Map<String, Handler> subscriptions = new LinkedHashMap<>();
  private final RateLimitedLog refused = new RateLimitedLog(log);
  private final RateLimitedLog dropped = new RateLimitedLog(log);
  private final AtomicInteger pendingQos0 = new AtomicInteger();
  private final AtomicInteger mirrorBacklog = new AtomicInteger();
  private volatile MqttConnection connection;

  /**
   * @param config the connection (its receive maximum and manual acknowledgement are set here)
   * @param mirrorPrefix null: no mirror; "": mirror each message on its own topic; otherwise on
   *     {@code mirrorPrefix/topic}
   */
  public MqttBridge(MqttConnectionConfig.Builder config, @Nullable String mirrorPrefix, GatewayExecutors executors) {
    this.config = config.manualAcknowledgement(RECEIVE_MAXIMUM).build();
    this.mirrorPrefix = mirrorPrefix;
    this.executors = executors;
  }

  /** Takes plain publishes on {@code filter} (through the shared group); call before {@link #connect}. */
  public void subscribe(String filter, Handler handler) {
    subscriptions.put(filter, handler);
  }

  public String clientId() {
    return config.clientId();
  }

  /** Connects and subscribes; fails naming the broker or the refused filter. */
  public void connect() throws IOException {
    MqttConnection c = MqttConnection.connect(config);
    try {
      for (Map.Entry<String, Handler> s : subscriptions.entrySet()) {
        Handler handler = s.getValue();
        c.subscribe("$share/" + SHARE_GROUP + "/" + s.getKey(), 1, d -> arrived(handler, d));
      }
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    connection = c;
  }

  // --- Mirror ---------------------------------------------------------------------------------

  @Override
  public String topicFor(String queueTopic) {
    if (mirrorPrefix == null) {
      return null;
    }
    return mirrorPrefix.isEmpty() ? queueTopic : mirrorPrefix + "/" + queueTopic;
  }

  @Override
  public void publish(StoredMessage m) {
    String topic = topicFor(m.topic());
    MqttConnection c = connection;
    if (topic == null || c == null) {
      return;
    }
    MqttMessage.Builder out = MqttMessage.builder(topic).payload(m.payload()).qos(1);
    m.headers().forEach(out::userProperty);
    out.userProperty(MSG_ID_PROPERTY, Long.toString(m.id()));
    MqttMessage message;
    try {
      message = out.build();
    } catch (IllegalArgumentException e) {
      dropped.warn("Message {} of '{}' was stored but cannot be mirrored: {}", m.id(), m.topic(), e.getMessage());
      return;
    }
    if (mirrorBacklog.incrementAndGet() > MAX_MIRROR_BACKLOG) {
      mirrorBacklog.decrementAndGet();
      dropped.warn("Mirror backlog full ({} messages; broker {} unreachable?): message {} of '{}'"
          + " was stored but not mirrored", MAX_MIRROR_BACKLOG, config.brokerUri(), m.id(), m.topic());
      return;
    }
    c.publish(message).whenComplete((result, error) -> {
      mirrorBacklog.decrementAndGet();
      if (error != null) {
        dropped.warn("Mirror publish of message {} on '{}' failed: {}", m.id(), topic, error.getMessage());
      } else if (!result.accepted()) {
        dropped.warn("The broker refused the mirror of message {} on '{}' (reason 0x{})", m.id(), topic,
            Integer.toHexString(result.reasonCode()));
      }
    });
  }

  // --- subscriptions ----------------------------------------------------------------------------

  /** On the connection's delivery thread: only checks and hands off. */
  private void arrived(Handler handler, MqttDelivery delivery) {
    MqttMessage message = delivery.message();
    if (message.userProperty(MSG_ID_PROPERTY) != null) {
      delivery.acknowledge();
      return;
    }
    if (message.qos() == 0 && pendingQos0.incrementAndGet() > RECEIVE_MAXIMUM * 10) {
      // QoS 0 has no flow control: shed load rather than queue without bound.
      pendingQos0.decrementAndGet();
      dropped.warn("Dropped a QoS 0 publish on '{}': the store is behind", message.topic());
      return;
    }
    executors.work().execute(() -> store(handler, delivery, System.nanoTime()));
  }

  private void store(Handler handler, MqttDelivery delivery, long firstTryNanos) {
    MqttMessage message = delivery.message();
    try {
      handler.handle(message.topic(), message.payload(), headersOf(message));
    } catch (StatusException e) {
      Status.Code code = e.getStatus().getCode();
      boolean transientFailure = code == Status.Code.UNAVAILABLE;
      if (transientFailure && System.nanoTime() - firstTryNanos < TimeUnit.MILLISECONDS.toNanos(STORE_RETRY_LIMIT_MILLIS)) {
        executors.timers().schedule(
            () -> executors.work().execute(() -> store(handler, delivery, firstTryNanos)),
            STORE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        return;
      }
      refused.warn("Dropped a plain MQTT publish on '{}': {}", message.topic(), e.getStatus().getDescription());
    } catch (RuntimeException e) {
      log.error("Unexpected failure storing a plain MQTT publish on '{}'", message.topic(), e);
    }
    if (message.qos() == 0) {
      pendingQos0.decrementAndGet();
    }
    delivery.acknowledge();
  }

  /** User properties as headers (the last of repeated keys wins); the content type as "content-type". */
  private static Map<String, String> headersOf(MqttMessage message) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (MqttUserProperty u : message.userProperties()) {
      if (!u.name().startsWith(RequestRules.RESERVED_HEADER_PREFIX)) {
        headers.put(u.name(), u.value());
      }
    }
    if (message.contentType() != null) {
      headers.put("content-type", message.contentType());
    }
    return headers;
  }

  @Override
  public void close() {
    MqttConnection c = connection;
    if (c != null) {
      c.close();
    }
  }
}
