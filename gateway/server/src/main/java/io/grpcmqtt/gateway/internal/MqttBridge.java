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
 * No Local, is the guard because subscriptions are shared ({@code $share/{group}/…}, the
 * deployment's group, so that its instances store each publish once) and No Local is a protocol
 * error on shared subscriptions; it also stops loops between instances, which No Local would not.
 * A message taken from a topic is not mirrored back onto that same topic.
 *
 * <p><b>One message never breaks the connection.</b> Paho drops its connection over a PUBLISH it
 * cannot encode, and with it the ingest messages in flight; so a mirror the broker could not take
 * (text MQTT cannot carry, over the broker's maximum packet size) is logged and skipped.
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
  static final int RECEIVE_MAXIMUM = 100;
  static final int MAX_MIRROR_BACKLOG = 10_000;
  private static final int MAX_INFLIGHT_REASON = 32202;
  private static final int NOT_CONNECTED_REASON = 32104;
  private static final long STORE_RETRY_MILLIS = 1_000;

  /**
   * What to do with a plain publish on a subscribed filter; throws to refuse it (UNAVAILABLE: not
   * now, try again).
   */
  public interface Handler {
    void handle(String topic, byte[] payload, Map<String, String> headers) throws StatusException;
  }

  private final String brokerUri;
  private final String shareGroup;
  private final String clientId;
  @Nullable private final String mirrorPrefix;
  private final GatewayExecutors executors;
  private final MqttAsyncClient client;
  private final MqttConnectionOptions options;
  private final Map<String, Handler> subscriptions = new LinkedHashMap<>();
  private final Map<String, Watcher> watches = new LinkedHashMap<>();
  private final List<Runnable> onReconnect = new ArrayList<>();
  private final RateLimitedLog refused = new RateLimitedLog(log);
  private final RateLimitedLog dropped = new RateLimitedLog(log);
  private final RateLimitedLog storeDown = new RateLimitedLog(log);
  private final AtomicInteger pendingQos0 = new AtomicInteger();
  private final Object lock = new Object();

  @GuardedBy("lock")
  private final ArrayDeque<MqttMessageOut> backlog = new ArrayDeque<>();

  @GuardedBy("lock")
  private int inFlight;

  @GuardedBy("lock")
  private int window = 10;

  /** The broker's Maximum Packet Size (CONNACK), or 0 when it set none. */
  @GuardedBy("lock")
  private long maxPacketBytes;

  @GuardedBy("lock")
  private boolean connected;

  @GuardedBy("lock")
  private boolean closed;

  /**
   * @param shareGroup the shared-subscription group of the subscriptions
   * @param mirrorPrefix null: no mirror; "": mirror each message on its own topic; otherwise on
   *     {@code mirrorPrefix/topic}
   */
  public MqttBridge(String brokerUri, String shareGroup, @Nullable String mirrorPrefix, GatewayExecutors executors)
      throws IOException {
    this.brokerUri = brokerUri;
    this.shareGroup = shareGroup;
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

  /** Sees what is published on a topic filter, retained messages included. */
  public interface Watcher {
    /** Called on Paho's callback thread: must not block. */
    void seen(String topic, byte[] payload);
  }

  /** Every publish on {@code filter} (not shared: each instance sees all); call before {@link #connect}. */
  public void watch(String filter, Watcher watcher) {
    watches.put(filter, watcher);
  }

  /**
   * The will: an empty retained message on {@code topic}, which clears what this connection
   * retained there when it dies, and when it closes ({@link #close} disconnects with the will).
   * Call before {@link #connect}.
   */
  public void willClears(String topic) {
    MqttMessage will = new MqttMessage(new byte[0]);
    will.setQos(1);
    will.setRetained(true);
    options.setWill(topic, will);
  }

  /** Runs after every automatic reconnect, subscriptions renewed. */
  public void onReconnect(Runnable action) {
    onReconnect.add(action);
  }

  /** Publishes a retained message that the broker drops after {@code expirySeconds}. */
  public void publishRetained(String topic, byte[] payload, long expirySeconds) {
    MqttProperties props = new MqttProperties();
    props.setMessageExpiryInterval(expirySeconds);
    synchronized (lock) {
      if (closed) {
        return;
      }
      backlog.addFirst(new MqttMessageOut(topic, payload, props, true));
      drainLocked();
    }
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
      Long maxPacket = props == null ? null : props.getMaximumPacketSize();
      synchronized (lock) {
        window = receiveMax == null || receiveMax <= 0 ? 65_535 : receiveMax;
        maxPacketBytes = maxPacket == null ? 0 : maxPacket;
        connected = true;
      }
      subscribeAll(true);
      if (!subscriptions.isEmpty()) {
        log.info("Storing plain MQTT publishes on {}", subscriptions.keySet().stream()
            .map(f -> "$share/" + shareGroup + "/" + f).toList());
      }
    } catch (MqttException e) {
      throw new IOException("cannot connect to MQTT broker " + brokerUri + ": " + e.getMessage(), e);
    }
  }

  private void subscribeAll(boolean wait) throws MqttException {
    List<MqttSubscription> subs = new ArrayList<>();
    for (String filter : subscriptions.keySet()) {
      subs.add(new MqttSubscription("$share/" + shareGroup + "/" + filter, 1));
    }
    for (String filter : watches.keySet()) {
      subs.add(new MqttSubscription(filter, 1));
    }
    if (subs.isEmpty()) {
      return;
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
    String problem = unpublishable(topic, m.headers());
    if (problem != null) {
      // MessageRules lets nothing like this be stored; a message stored by an older version may
      // be. Paho would drop the connection (and the ingest with it) over it: skip it.
      dropped.warn("Message {} of topic {} was stored but is not mirrored: {}", m.id(), MqttText.quote(m.topic()), problem);
      return;
    }
    MqttProperties props = new MqttProperties();
    List<UserProperty> user = new ArrayList<>(m.headers().size() + 1);
    m.headers().forEach((k, v) -> user.add(new UserProperty(k, v)));
    user.add(new UserProperty(MSG_ID_PROPERTY, Long.toString(m.id())));
    props.setUserProperties(user);
    MqttMessageOut out = new MqttMessageOut(topic, m.payload(), props, false);
    synchronized (lock) {
      if (closed) {
        return;
      }
      long size = packetSize(out);
      if (maxPacketBytes > 0 && size > maxPacketBytes) {
        dropped.warn("Message {} of topic {} was stored but is not mirrored: its PUBLISH of about {} bytes"
            + " exceeds the broker's maximum packet size of {} bytes", m.id(), MqttText.quote(m.topic()),
            size, maxPacketBytes);
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

  /** Why Paho would refuse to publish this, or null. */
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

  /** An upper bound of the PUBLISH's size on the wire. */
  private static long packetSize(MqttMessageOut out) {
    long size = 16L + out.payload.length + 3L * out.topic.length();
    for (UserProperty p : out.props.getUserProperties()) {
      size += 5L + 3L * p.getKey().length() + 3L * p.getValue().length();
    }
    return size;
  }

  @GuardedBy("lock")
  private void drainLocked() {
    while (connected && !backlog.isEmpty() && inFlight < window) {
      MqttMessageOut out = backlog.poll();
      inFlight++;
      try {
        MqttMessage message = new MqttMessage(out.payload);
        message.setQos(1);
        message.setRetained(out.retained);
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
        dropped.warn("Mirror publish on {} failed: {}", MqttText.quote(out.topic), e.getMessage());
      } catch (RuntimeException e) {
        // Paho refused the message itself (e.g. a string it will not encode): skip it, keep the rest.
        inFlight--;
        dropped.warn("Mirror publish on {} refused: {}", MqttText.quote(out.topic), String.valueOf(e));
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
    for (Map.Entry<String, Watcher> e : watches.entrySet()) {
      if (MqttTopicValidator.isMatched(e.getKey(), topic)) {
        ack(message);
        e.getValue().seen(topic, message.getPayload());
        return;
      }
    }
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
    executors.work().execute(() -> store(h, topic, message));
  }

  private void store(Handler handler, String topic, MqttMessage message) {
    try {
      handler.handle(topic, message.getPayload(), headersOf(message));
    } catch (StatusException e) {
      if (e.getStatus().getCode() == Status.Code.UNAVAILABLE && !isClosed()) {
        // The store is down: keep the publish un-acknowledged and try again. The broker's
        // receive maximum then stops its deliveries, so nothing piles up here meanwhile.
        storeDown.warn("Could not store a plain MQTT publish on {} ({}); trying again every {} ms",
            MqttText.quote(topic), e.getStatus().getDescription(), STORE_RETRY_MILLIS);
        executors.timers().schedule(
            () -> executors.work().execute(() -> store(handler, topic, message)),
            STORE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        return;
      }
      refused.warn("Refused a plain MQTT publish on {}: {} {}", MqttText.quote(topic),
          e.getStatus().getCode(), e.getStatus().getDescription());
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
        if (!u.getKey().startsWith(MessageRules.RESERVED_HEADER_PREFIX)) {
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
        // Reason 0x04, "disconnect with will message": the broker publishes the will, which
        // clears what this connection retained (see willClears).
        client.disconnect(2_000, null, null, 0x04, new MqttProperties()).waitForCompletion(3_000);
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
      onReconnect.forEach(Runnable::run);
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private record MqttMessageOut(String topic, byte[] payload, MqttProperties props, boolean retained) {}
}
