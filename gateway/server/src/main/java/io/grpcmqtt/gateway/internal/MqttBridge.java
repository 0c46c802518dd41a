package io.grpcmqtt.gateway.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpcmqtt.gateway.store.StoredMessage;
import io.grpcmqtt.mqtt.MqttConnection;
import io.grpcmqtt.mqtt.MqttConnectionConfig;
import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttPublishResult;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gateway's plain-MQTT side, on one connection of its own (the runtime's public {@link
 * MqttConnection}): it mirrors stored messages onto their topics, takes plain publishes from
 * subscriptions (ingest filters) into the queues, and carries the instances' records ({@link
 * Presence}).
 *
 * <p><b>No loops, no duplicates.</b> Every mirrored message carries the user property {@value
 * #MSG_ID_PROPERTY}; a subscription never stores a message that has it. That, rather than MQTT 5
 * No Local, is the guard because subscriptions are shared ({@code $share/{group}/…}, the
 * deployment's group, so that its instances store each publish once) and No Local is a protocol
 * error on shared subscriptions; it also stops loops between instances, which No Local would not.
 * A message taken from a topic is not mirrored back onto that same topic.
 *
 * <p><b>One message never breaks the connection.</b> A broker closes the connection over a
 * PUBLISH it must refuse, and with it the ingest messages in flight; so a mirror the broker could
 * not take (text MQTT cannot carry, over the broker's maximum packet size) is logged and skipped.
 *
 * <p>A subscribed message is acknowledged (PUBACK) only once it is stored, and at most {@value
 * #RECEIVE_MAXIMUM} are taken at a time, so a slow store slows the broker's delivery instead of
 * growing memory; while the store is down, a publish is tried again every {@value
 * #STORE_RETRY_MILLIS} ms, un-acknowledged, until it is stored or the Gateway stops. Mirror
 * publishes are QoS 1 within the broker's receive maximum (the connection's window); beyond
 * {@value #MAX_MIRROR_BACKLOG} waiting (broker gone) new ones are dropped and counted in a WARN.
 */
public final class MqttBridge implements Mirror, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MqttBridge.class);
  /** Marks a message as a Gateway mirror; its value is the message's msg_id. */
  public static final String MSG_ID_PROPERTY = "robustmq-msg-id";
  static final int RECEIVE_MAXIMUM = 100;
  static final int MAX_MIRROR_BACKLOG = 10_000;
  private static final long STORE_RETRY_MILLIS = 1_000;

  /**
   * What to do with a plain publish on a subscribed filter; throws to refuse it (UNAVAILABLE: not
   * now, try again).
   */
  public interface Handler {
    void handle(String topic, byte[] payload, Map<String, String> headers) throws StatusException;
  }

  /** Sees what is published on a topic filter, retained messages included. */
  public interface Watcher {
    /** Called on the connection's delivery thread: must not block. */
    void seen(String topic, byte[] payload);
  }

  private final MqttConnectionConfig.Builder config;
  private final String brokerUri;
  private final String clientId;
  private final String shareGroup;
  @Nullable private final String mirrorPrefix;
  private final GatewayExecutors executors;
  private final Map<String, Handler> subscriptions = new LinkedHashMap<>();
  private final Map<String, Watcher> watches = new LinkedHashMap<>();
  private final List<Runnable> onReconnect = new CopyOnWriteArrayList<>();
  private final RateLimitedLog refused = new RateLimitedLog(log);
  private final RateLimitedLog dropped = new RateLimitedLog(log);
  private final RateLimitedLog storeDown = new RateLimitedLog(log);
  private final AtomicInteger pendingQos0 = new AtomicInteger();
  private final AtomicInteger mirrorBacklog = new AtomicInteger();
  private volatile MqttConnection connection;
  private volatile boolean closed;

  /**
   * @param config the broker and credentials; the client id ({@code robustmq-gateway-} and 8
   *     random characters), receive maximum, manual acknowledgement, will and reconnect action are
   *     set here
   * @param shareGroup the shared-subscription group of the subscriptions
   * @param mirrorPrefix null: no mirror; "": mirror each message on its own topic; otherwise on
   *     {@code mirrorPrefix/topic}
   */
  public MqttBridge(MqttConnectionConfig.Builder config, String shareGroup, @Nullable String mirrorPrefix,
      GatewayExecutors executors) {
    this.clientId = "robustmq-gateway-" + UUID.randomUUID().toString().substring(0, 8);
    // Its shared ingest subscriptions are a server's: a frozen instance must lose its share as
    // soon as a grpc-mqtt server would (1.5 x 5 s), not after the channel default's 45 s.
    this.config = config.clientId(clientId)
        .keepAlive(Duration.ofSeconds(5))
        .manualAcknowledgement(RECEIVE_MAXIMUM)
        .onReconnect(this::reconnected);
    this.brokerUri = config.build().brokerUri().toString();
    this.shareGroup = shareGroup;
    this.mirrorPrefix = mirrorPrefix;
    this.executors = executors;
  }

  /** Takes plain publishes on {@code filter} (through the shared group); call before {@link #connect}. */
  public void subscribe(String filter, Handler handler) {
    subscriptions.put(filter, handler);
  }

  /** Every publish on {@code filter} (not shared: each instance sees all); call before {@link #connect}. */
  public void watch(String filter, Watcher watcher) {
    watches.put(filter, watcher);
  }

  /**
   * The will: an empty retained message on {@code topic}, which clears what this connection
   * retained there when it dies. Call before {@link #connect}.
   */
  public void willClears(String topic) {
    config.will(MqttMessage.builder(topic).qos(1).retain(true).build());
  }

  /** Runs after every automatic reconnect, subscriptions renewed (must not block). */
  public void onReconnect(Runnable action) {
    onReconnect.add(action);
  }

  /**
   * Publishes a retained message that the broker drops after {@code expirySeconds} (an empty
   * payload clears the topic's retained message); the future completes with the PUBACK, or fails
   * when the bridge is not connected.
   */
  public CompletableFuture<MqttPublishResult> publishRetained(String topic, byte[] payload, long expirySeconds) {
    MqttConnection c = connection;
    if (c == null || closed) {
      return CompletableFuture.failedFuture(new IOException("the Gateway's MQTT connection is not open"));
    }
    MqttMessage.Builder m = MqttMessage.builder(topic).payload(payload).qos(1).retain(true);
    if (payload.length > 0) {
      m.messageExpirySeconds(expirySeconds);
    }
    return c.publish(m.build());
  }

  public String clientId() {
    return clientId;
  }

  /** Connects and subscribes; fails naming the broker or the refused filter. */
  public void connect() throws IOException {
    MqttConnection c = MqttConnection.connect(config.build());
    try {
      for (Map.Entry<String, Watcher> w : watches.entrySet()) {
        Watcher watcher = w.getValue();
        c.subscribe(w.getKey(), 1, d -> {
          d.acknowledge();
          MqttMessage m = d.message();
          watcher.seen(m.topic(), m.payload());
        });
      }
      for (Map.Entry<String, Handler> s : subscriptions.entrySet()) {
        Handler handler = s.getValue();
        c.subscribe("$share/" + shareGroup + "/" + s.getKey(), 1, d -> arrived(handler, d));
      }
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    connection = c;
    if (!subscriptions.isEmpty()) {
      log.info("Storing plain MQTT publishes on {}", subscriptions.keySet().stream()
          .map(f -> "$share/" + shareGroup + "/" + f).toList());
    }
  }

  private void reconnected() {
    for (Runnable action : onReconnect) {
      action.run();
    }
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
    if (topic == null || c == null || closed) {
      return;
    }
    String problem = unpublishable(topic, m.headers());
    if (problem != null) {
      // MessageRules lets nothing like this be stored; a message stored by an older version may
      // be. The broker would refuse it: skip it.
      dropped.warn("Message {} of topic {} was stored but is not mirrored: {}", m.id(), MqttText.quote(m.topic()), problem);
      return;
    }
    MqttMessage.Builder out = MqttMessage.builder(topic).payload(m.payload()).qos(1);
    m.headers().forEach(out::userProperty);
    out.userProperty(MSG_ID_PROPERTY, Long.toString(m.id()));
    MqttMessage message;
    try {
      message = out.build();
    } catch (IllegalArgumentException e) {
      dropped.warn("Message {} of topic {} was stored but is not mirrored: {}", m.id(), MqttText.quote(m.topic()),
          e.getMessage());
      return;
    }
    long maxPacket = c.maximumPacketSize();
    long size = packetSize(topic, m.payload().length, message.userProperties());
    if (maxPacket > 0 && size > maxPacket) {
      dropped.warn("Message {} of topic {} was stored but is not mirrored: its PUBLISH of about {} bytes"
          + " exceeds the broker's maximum packet size of {} bytes", m.id(), MqttText.quote(m.topic()),
          size, maxPacket);
      return;
    }
    if (mirrorBacklog.incrementAndGet() > MAX_MIRROR_BACKLOG) {
      mirrorBacklog.decrementAndGet();
      dropped.warn("Mirror backlog full ({} messages; broker {} unreachable?): message {} of {}"
          + " was stored but not mirrored", MAX_MIRROR_BACKLOG, brokerUri, m.id(), MqttText.quote(m.topic()));
      return;
    }
    // The callback handles every outcome; the future whenComplete returns carries nothing more.
    CompletableFuture<?> unused = c.publish(message).whenComplete((result, error) -> {
      mirrorBacklog.decrementAndGet();
      if (error != null) {
        if (!closed) {
          dropped.warn("Mirror publish of message {} on {} failed: {}", m.id(), MqttText.quote(topic), error.getMessage());
        }
      } else if (!result.accepted()) {
        dropped.warn("The broker refused the mirror of message {} on {} (reason 0x{})", m.id(), MqttText.quote(topic),
            Integer.toHexString(result.reasonCode()));
      }
    });
  }

  /** Why the broker would refuse to take this, or null. */
  @Nullable
  private static String unpublishable(String topic, Map<String, String> headers) {
    String problem = MqttText.problem(topic);
    if (problem != null) {
      return "its mirror topic " + problem;
    }
    for (Map.Entry<String, String> h : headers.entrySet()) {
      problem = MqttText.problem(h.getKey());
      if (problem == null) {
        problem = MqttText.problem(h.getValue());
      }
      if (problem != null) {
        return "header " + MqttText.quote(h.getKey()) + " " + problem;
      }
    }
    return null;
  }

  /** An upper bound of the PUBLISH's size on the wire (3 UTF-8 bytes per UTF-16 unit at most). */
  private static long packetSize(String topic, int payloadBytes, List<MqttUserProperty> properties) {
    long size = 16L + payloadBytes + 3L * topic.length();
    for (MqttUserProperty p : properties) {
      size += 5L + 3L * p.name().length() + 3L * p.value().length();
    }
    return size;
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
      dropped.warn("Dropped a QoS 0 publish on {}: the store is behind", MqttText.quote(message.topic()));
      return;
    }
    executors.work().execute(() -> store(handler, delivery));
  }

  private void store(Handler handler, MqttDelivery delivery) {
    MqttMessage message = delivery.message();
    String topic = message.topic();
    try {
      handler.handle(topic, message.payload(), headersOf(message));
    } catch (StatusException e) {
      if (e.getStatus().getCode() == Status.Code.UNAVAILABLE && !closed) {
        // The store is down: keep the publish un-acknowledged and try again. The broker's
        // receive maximum then stops its deliveries, so nothing piles up here meanwhile.
        storeDown.warn("Could not store a plain MQTT publish on {} ({}); trying again every {} ms",
            MqttText.quote(topic), e.getStatus().getDescription(), STORE_RETRY_MILLIS);
        ScheduledFuture<?> unused = executors.timers().schedule(
            () -> executors.work().execute(() -> store(handler, delivery)),
            STORE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        return;
      }
      refused.warn("Refused a plain MQTT publish on {}: {} {}", MqttText.quote(topic),
          e.getStatus().getCode(), e.getStatus().getDescription());
    } catch (RuntimeException e) {
      log.error("Unexpected failure storing a plain MQTT publish on {}", MqttText.quote(topic), e);
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
      if (!u.name().startsWith(MessageRules.RESERVED_HEADER_PREFIX)) {
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
    closed = true;
    MqttConnection c = connection;
    if (c != null) {
      c.close();
    }
  }
}
