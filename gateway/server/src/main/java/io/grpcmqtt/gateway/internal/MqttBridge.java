package io.grpcmqtt.gateway.internal;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpcmqtt.gateway.store.StoredMessage;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.eclipse.paho.mqttv5.common.util.MqttTopicValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gateway's plain-MQTT side, on one connection of its own: it mirrors stored messages onto
 * their topics and takes plain publishes from subscriptions (ingest filters, the device path) into
 * the queues.
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
 * growing memory. Mirror publishes are QoS 1 within the broker's receive maximum; beyond {@value
 * #MAX_MIRROR_BACKLOG} waiting (broker gone) new ones are dropped and counted in a WARN.
 */
public final class MqttBridge implements Mirror, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MqttBridge.class);
  /** Marks a message as a Gateway mirror; its value is the message's msg_id. */
  public static final String MSG_ID_PROPERTY = "robustmq-msg-id";
  /** The shared-subscription group of every Gateway instance's plain subscriptions. */
  public static final String SHARE_GROUP = "robustmq-gateway";
  static final int RECEIVE_MAXIMUM = 100;
  static final int MAX_MIRROR_BACKLOG = 10_000;
  private static final int MAX_INFLIGHT_REASON = 32202;
  private static final int NOT_CONNECTED_REASON = 32104;
  private static final long STORE_RETRY_MILLIS = 1_000;
  private static final long STORE_RETRY_LIMIT_MILLIS = 30_000;

  /** What to do with a plain publish on a subscribed filter; throws to refuse it. */
  public interface Handler {
    void handle(String topic, byte[] payload, Map<String, String> headers) throws StatusException;
  }

  private final String brokerUri;
  private final String clientId;
  @Nullable private final String mirrorPrefix;
  private final GatewayExecutors executors;
  private final MqttAsyncClient client;
  private final MqttConnectionOptions options;
  private final Map<String, Handler> subscriptions = new LinkedHashMap<>();
  private final RateLimitedLog refused = new RateLimitedLog(log);
  private final RateLimitedLog dropped = new RateLimitedLog(log);
  private final AtomicInteger pendingQos0 = new AtomicInteger();
  private final Object lock = new Object();

  @GuardedBy("lock")
  private final ArrayDeque<MqttMessageOut> backlog = new ArrayDeque<>();

  @GuardedBy("lock")
  private int inFlight;

  @GuardedBy("lock")
  private int window = 10;

  @GuardedBy("lock")
  private boolean connected;

  @GuardedBy("lock")
  private boolean closed;

  /**
   * @param mirrorPrefix null: no mirror; "": mirror each message on its own topic; otherwise on
   *     {@code mirrorPrefix/topic}
   */
  public MqttBridge(String brokerUri, @Nullable String mirrorPrefix, GatewayExecutors executors)
      throws IOException {
    this.brokerUri = brokerUri;
    this.mirrorPrefix = mirrorPrefix;
    this.executors = executors;
    this.clientId = "robustmq-gateway-" + UUID.randomUUID().toString().substring(0, 8);
    try {
      this.client = new MqttAsyncClient(brokerUri, clientId, new MemoryPersistence());
    } catch (MqttException e) {
      throw new IOException("cannot create an MQTT client for " + brokerUri + ": " + e.getMessage(), e);
    }
    client.setManualAcks(true);
    client.setCallback(new Callback());
    options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setAutomaticReconnect(true);
    options.setAutomaticReconnectDelay(1, 30);
    options.setReceiveMaximum(RECEIVE_MAXIMUM);
    options.setSocketFactory(io.grpcmqtt.internal.NoDelaySocketFactory.plain());
  }

  /** Takes plain publishes on {@code filter} (through the shared group); call before {@link #connect}. */
  public void subscribe(String filter, Handler handler) {
    subscriptions.put(filter, handler);
  }

  public String clientId() {
    return clientId;
  }

  /** Connects and subscribes; fails naming the broker or the refused filter. */
  public void connect() throws IOException {
    try {
      IMqttToken token = client.connect(options);
      token.waitForCompletion(15_000);
      MqttProperties props = token.getResponseProperties();
      Integer receiveMax = props == null ? null : props.getReceiveMaximum();
      synchronized (lock) {
        window = receiveMax == null || receiveMax <= 0 ? 65_535 : receiveMax;
        connected = true;
      }
      subscribeAll(true);
    } catch (MqttException e) {
      throw new IOException("cannot connect to MQTT broker " + brokerUri + ": " + e.getMessage(), e);
    }
  }

  private void subscribeAll(boolean wait) throws MqttException {
    if (subscriptions.isEmpty()) {
      return;
    }
    List<MqttSubscription> subs = new ArrayList<>();
    for (String filter : subscriptions.keySet()) {
      subs.add(new MqttSubscription("$share/" + SHARE_GROUP + "/" + filter, 1));
    }
    IMqttToken token = client.subscribe(subs.toArray(new MqttSubscription[0]));
    if (!wait) {
      return;
    }
    token.waitForCompletion(15_000);
    int[] codes = token.getReasonCodes();
    for (int i = 0; codes != null && i < codes.length && i < subs.size(); i++) {
      if (codes[i] >= 0x80) {
        throw new MqttException(codes[i], new IOException("the broker refused subscription '"
            + subs.get(i).getTopic() + "' (reason 0x" + Integer.toHexString(codes[i]) + ")"));
      }
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
    if (topic == null) {
      return;
    }
    MqttProperties props = new MqttProperties();
    List<UserProperty> user = new ArrayList<>(m.headers().size() + 1);
    m.headers().forEach((k, v) -> user.add(new UserProperty(k, v)));
    user.add(new UserProperty(MSG_ID_PROPERTY, Long.toString(m.id())));
    props.setUserProperties(user);
    MqttMessageOut out = new MqttMessageOut(topic, m.payload(), props);
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (backlog.size() >= MAX_MIRROR_BACKLOG) {
        dropped.warn("Mirror backlog full ({} messages; broker {} unreachable?): message {} of '{}'"
            + " was stored but not mirrored", MAX_MIRROR_BACKLOG, brokerUri, m.id(), m.topic());
        return;
      }
      backlog.add(out);
      drainLocked();
    }
  }

  @GuardedBy("lock")
  private void drainLocked() {
    while (connected && !backlog.isEmpty() && inFlight < window) {
      MqttMessageOut out = backlog.poll();
      inFlight++;
      try {
        MqttMessage message = new MqttMessage(out.payload);
        message.setQos(1);
        message.setProperties(out.props);
        client.publish(out.topic, message, null, mirrorAck);
      } catch (MqttException e) {
        inFlight--;
        if (e.getReasonCode() == MAX_INFLIGHT_REASON) {
          // Paho's in-flight count can lag ours by one ack (eclipse-paho/paho.mqtt.java#993):
          // keep the order and try again shortly.
          backlog.addFirst(out);
          executors.timers().schedule(this::drain, 5, TimeUnit.MILLISECONDS);
          return;
        }
        if (e.getReasonCode() == NOT_CONNECTED_REASON) {
          backlog.addFirst(out); // the reconnect drains it
          return;
        }
        dropped.warn("Mirror publish on '{}' failed: {}", out.topic, e.getMessage());
      }
    }
  }

  private void drain() {
    synchronized (lock) {
      drainLocked();
    }
  }

  private final MqttActionListener mirrorAck = new MqttActionListener() {
    @Override
    public void onSuccess(IMqttToken token) {
      synchronized (lock) {
        inFlight = Math.max(0, inFlight - 1);
        drainLocked();
      }
    }

    @Override
    public void onFailure(IMqttToken token, Throwable cause) {
      synchronized (lock) {
        inFlight = Math.max(0, inFlight - 1);
        drainLocked();
      }
      dropped.warn("Mirror publish failed: {}", String.valueOf(cause));
    }
  };

  // --- subscriptions ----------------------------------------------------------------------------

  private void arrived(String topic, MqttMessage message) {
    if (isMirror(message)) {
      ack(message);
      return;
    }
    Handler handler = null;
    for (Map.Entry<String, Handler> e : subscriptions.entrySet()) {
      if (MqttTopicValidator.isMatched(e.getKey(), topic)) {
        handler = e.getValue();
        break;
      }
    }
    if (handler == null) {
      ack(message);
      return;
    }
    if (message.getQos() == 0 && pendingQos0.incrementAndGet() > RECEIVE_MAXIMUM * 10) {
      // QoS 0 has no flow control: shed load rather than queue without bound.
      pendingQos0.decrementAndGet();
      dropped.warn("Dropped a QoS 0 publish on '{}': the store is behind", topic);
      return;
    }
    Handler h = handler;
    executors.work().execute(() -> store(h, topic, message, System.nanoTime()));
  }

  private void store(Handler handler, String topic, MqttMessage message, long firstTryNanos) {
    try {
      handler.handle(topic, message.getPayload(), headersOf(message));
    } catch (StatusException e) {
      Status.Code code = e.getStatus().getCode();
      boolean transientFailure = code == Status.Code.UNAVAILABLE;
      if (transientFailure && System.nanoTime() - firstTryNanos < TimeUnit.MILLISECONDS.toNanos(STORE_RETRY_LIMIT_MILLIS)) {
        executors.timers().schedule(
            () -> executors.work().execute(() -> store(handler, topic, message, firstTryNanos)),
            STORE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        return;
      }
      refused.warn("Dropped a plain MQTT publish on '{}': {}", topic, e.getStatus().getDescription());
    } catch (RuntimeException e) {
      log.error("Unexpected failure storing a plain MQTT publish on '{}'", topic, e);
    }
    if (message.getQos() == 0) {
      pendingQos0.decrementAndGet();
    }
    ack(message);
  }

  private static boolean isMirror(MqttMessage message) {
    MqttProperties p = message.getProperties();
    if (p == null || p.getUserProperties() == null) {
      return false;
    }
    for (UserProperty u : p.getUserProperties()) {
      if (MSG_ID_PROPERTY.equals(u.getKey())) {
        return true;
      }
    }
    return false;
  }

  /** User properties as headers (the last of repeated keys wins); the content type as "content-type". */
  private static Map<String, String> headersOf(MqttMessage message) {
    MqttProperties p = message.getProperties();
    if (p == null) {
      return Map.of();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (p.getUserProperties() != null) {
      for (UserProperty u : p.getUserProperties()) {
        if (!u.getKey().startsWith(RequestRules.RESERVED_HEADER_PREFIX)) {
          headers.put(u.getKey(), u.getValue());
        }
      }
    }
    if (p.getContentType() != null) {
      headers.put("content-type", p.getContentType());
    }
    return headers;
  }

  private void ack(MqttMessage message) {
    if (message.getQos() == 0) {
      return;
    }
    try {
      client.messageArrivedComplete(message.getId(), message.getQos());
    } catch (MqttException e) {
      log.debug("PUBACK for message {} not sent: {}", message.getId(), e.getMessage());
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      connected = false;
    }
    try {
      if (client.isConnected()) {
        client.disconnect(2_000).waitForCompletion(3_000);
      }
    } catch (MqttException e) {
      log.debug("disconnect: {}", e.getMessage());
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      log.debug("close: {}", e.getMessage());
    }
  }

  private final class Callback implements MqttCallback {
    @Override
    public void messageArrived(String topic, MqttMessage message) {
      try {
        arrived(topic, message);
      } catch (RuntimeException e) {
        // Never let one bad message kill Paho's callback thread.
        log.error("Unexpected failure handling a publish on '{}'", topic, e);
      }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      synchronized (lock) {
        connected = false;
        inFlight = 0;
      }
      if (!isClosed()) {
        log.warn("Lost the MQTT connection to {} ({}); reconnecting", brokerUri,
            response.getException() != null ? response.getException().getMessage()
                : "reason 0x" + Integer.toHexString(response.getReturnCode()));
      }
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
      log.warn("MQTT protocol error: {}", e.getMessage());
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      if (!reconnect) {
        return;
      }
      log.info("Reconnected to {}", serverUri);
      synchronized (lock) {
        connected = true;
        inFlight = 0;
        drainLocked();
      }
      try {
        subscribeAll(false); // a clean session lost its subscriptions
      } catch (MqttException e) {
        log.warn("Resubscribing after reconnect failed: {}", e.getMessage());
      }
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private record MqttMessageOut(String topic, byte[] payload, MqttProperties props) {}
}
