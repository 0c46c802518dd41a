package io.grpcmqtt.internal;

import io.grpcmqtt.internal.PahoPublishWindow.Pending;
import io.grpcmqtt.mqtt.MqttConnectionConfig;
import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttMessageHandler;
import io.grpcmqtt.mqtt.MqttPublishResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link io.grpcmqtt.mqtt.MqttConnection} on Eclipse Paho v5, the default, in one layer: what Paho
 * calls back (messages, PUBACKs, a lost connection) arrives here and goes on to the subscription's
 * handler or the publish's future; a publish goes from here to Paho. It adds what Paho lacks: a
 * publish window under the broker's receive maximum ({@link PahoPublishWindow}; Paho throws 32202
 * instead of queueing), a reconnect with back-off and a fresh client, and the subscriptions made
 * again after it. {@link PahoMessages} translates between the public types and Paho's. With
 * {@link HiveMqttConnection}, the only classes that touch a client library.
 *
 * <p>Everything Paho calls back runs on its single callback thread ({@code MQTT Call}) and must
 * not block. No callback (a future, a handler, a config action) runs under this class's lock; a
 * publisher may hold its own lock while it calls {@link #publish} (lock order: the caller's, then
 * this class's, then Paho's).
 */
public final class PahoMqttConnection
    implements io.grpcmqtt.mqtt.MqttConnection, TransportConnection.CallbackPublisher, MqttCallback {
  private static final Logger log = LoggerFactory.getLogger(PahoMqttConnection.class);
  private static final int MAX_INFLIGHT_REASON = 32202;

  private final MqttConnectionConfig config;
  private final String brokerUri;
  private final MqttConnectionOptions options;
  private final boolean manualAcks;
  private final SubscriptionTable subscriptions;
  /** For the 32202 retry and the reconnect back-off; released when closed or never connected. */
  private final RuntimeExecutors.Lease executors = RuntimeExecutors.acquire();
  /** Replaced on every reconnect: a fresh Paho client carries no state from the lost one. */
  private volatile MqttAsyncClient client;

  private final Object lock = new Object();

  @GuardedBy("lock")
  private final PahoPublishWindow window = new PahoPublishWindow();

  @GuardedBy("lock")
  private boolean connected;

  @GuardedBy("lock")
  private boolean closed;

  @GuardedBy("lock")
  private long reconnectDelayMillis = 1_000;

  /**
   * Counts connections (written under the lock): a PUBACK from an older one says nothing about the
   * current window, and a message it delivered cannot be acknowledged on a newer one.
   */
  private volatile int generation;

  /** The broker's Maximum Packet Size from CONNACK; no publish above it is ever handed to Paho. */
  private volatile int maxPacketSize = PublishSize.PROTOCOL_MAX;

  private PahoMqttConnection(MqttConnectionConfig config) throws IOException {
    this.config = config;
    this.brokerUri = config.brokerUri().toString();
    this.manualAcks = config.manualAcknowledgement() > 0;
    this.subscriptions = new SubscriptionTable(manualAcks);
    try {
      this.options = PahoMessages.options(config);
      this.client = newClient();
    } catch (IOException | RuntimeException e) {
      executors.release(); // never connected, never closed
      throw e;
    }
  }

  /** See {@link io.grpcmqtt.mqtt.MqttConnection#connect}. */
  public static PahoMqttConnection connect(MqttConnectionConfig config) throws IOException {
    PahoMqttConnection c = new PahoMqttConnection(config);
    boolean up = false;
    try {
      c.connectOnce();
      up = true;
    } finally {
      if (!up) {
        c.executors.release(); // nobody will close a connection that never was
      }
    }
    log.info("MQTT connection '{}' to {} up", config.clientId(), config.brokerUri());
    return c;
  }

  private MqttAsyncClient newClient() throws IOException {
    try {
      MqttAsyncClient c = new MqttAsyncClient(brokerUri, config.clientId(), new MemoryPersistence());
      c.setCallback(this);
      // A received QoS 1 message is then acknowledged only by MqttDelivery.acknowledge, and the
      // broker sends at most the receive maximum unacknowledged: a slow consumer slows the broker.
      c.setManualAcks(manualAcks);
      return c;
    } catch (MqttException e) {
      throw new IOException("cannot create MQTT client for " + brokerUri, e);
    }
  }

  /** Connects, waiting at most the connect timeout. */
  private void connectOnce() throws IOException {
    CompletableFuture<Void> done = connectAsync();
    try {
      done.get(config.connectTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException(describeConnectFailure(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      closeQuietly();
      throw new IOException("no answer from MQTT broker " + brokerUri + " within "
          + config.connectTimeout().toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly();
      throw new IOException("interrupted while connecting to " + brokerUri, e);
    }
  }

  /** Starts connecting; the future fails with Paho's exception. */
  private CompletableFuture<Void> connectAsync() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      client.connect(options, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          MqttProperties props = token.getResponseProperties();
          Integer receiveMax = props == null ? null : props.getReceiveMaximum();
          Long maxPacket = props == null ? null : props.getMaximumPacketSize();
          maxPacketSize = maxPacket == null || maxPacket <= 0 || maxPacket > PublishSize.PROTOCOL_MAX
              ? PublishSize.PROTOCOL_MAX : maxPacket.intValue();
          synchronized (lock) {
            window.opened(receiveMax == null || receiveMax <= 0 ? 65_535 : receiveMax);
            connected = true;
            generation++;
            reconnectDelayMillis = 1_000;
          }
          // First the waiting connect (after a reconnect: the resubscribe), then what waited.
          done.complete(null);
          send();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable cause) {
          done.completeExceptionally(cause == null ? token.getException() : cause);
        }
      });
    } catch (MqttException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  private String describeConnectFailure(Throwable cause) {
    return "cannot connect to MQTT broker " + brokerUri + " as '" + config.clientId() + "': "
        + (cause == null ? "unknown error" : TransportConnection.describe(cause));
  }

  @Override
  public MqttConnectionConfig config() {
    return config;
  }

  @Override
  public boolean isConnected() {
    synchronized (lock) {
      return connected && !closed;
    }
  }

  @Override
  public long maximumPacketSize() {
    int max = maxPacketSize;
    return max == PublishSize.PROTOCOL_MAX ? 0 : max;
  }

  // --- publishing ---

  /**
   * Publishes in order. Never blocks: a publish beyond the broker's receive maximum waits in the
   * window until a PUBACK frees a slot.
   */
  @Override
  public CompletableFuture<MqttPublishResult> publish(MqttMessage message) {
    CompletableFuture<MqttPublishResult> result = new CompletableFuture<>();
    publish(message, TransportConnection.completing(result));
    return result;
  }

  /** {@link #publish(MqttMessage)} for the runtime: the outcome goes to {@code callback}. */
  @Override
  public void publish(MqttMessage message, TransportConnection.PublishCallback callback) {
    // The broker disconnects a client that sends a packet above its limit (reason 0x95), which
    // would end everything on the connection: only this publish fails.
    int max = maxPacketSize;
    if (max < PublishSize.PROTOCOL_MAX) {
      int size = PublishSize.of(message);
      if (size > max) {
        TransportConnection.failed(callback, new PacketTooLargeException(size, max));
        return;
      }
    }
    Pending pending = new Pending(message.topic(), MqttMessageAccess.payload(message),
        message.qos(), message.retain(), PahoMessages.properties(message), callback);
    boolean rejected;
    List<Runnable> failures = null;
    synchronized (lock) {
      rejected = closed;
      if (!rejected) {
        window.add(pending);
        failures = sendLocked();
      }
    }
    if (rejected) {
      TransportConnection.failed(callback, new IOException("MQTT connection closed"));
    }
    runAll(failures);
  }

  private void send() {
    List<Runnable> failures;
    synchronized (lock) {
      failures = sendLocked();
    }
    runAll(failures);
  }

  /** Sends what the window allows, in order; returns the failures to report unlocked. */
  @GuardedBy("lock")
  @Nullable
  private List<Runnable> sendLocked() {
    List<Runnable> failures = null;
    Pending p;
    while (connected && (p = window.next()) != null) {
      p.generation = generation;
      try {
        client.publish(p.topic, p.toPaho(), p, outcome);
      } catch (MqttException e) {
        if (e.getReasonCode() == MAX_INFLIGHT_REASON) {
          // Paho's own count can lag ours by an ack (eclipse-paho/paho.mqtt.java#993): keep the
          // message first in line and try again on the next ack, or shortly if none is due.
          if (window.refused(p)) {
            executors.schedule(this::send, 2, TimeUnit.MILLISECONDS);
          }
          break;
        }
        window.release(p);
        if (failures == null) {
          failures = new ArrayList<>();
        }
        TransportConnection.PublishCallback callback = p.callback;
        failures.add(() -> TransportConnection.failed(callback, publishFailure(e)));
      }
    }
    return failures;
  }

  private static void runAll(@Nullable List<Runnable> tasks) {
    if (tasks != null) {
      for (Runnable task : tasks) {
        task.run();
      }
    }
  }

  private static Throwable publishFailure(Throwable cause) {
    return cause instanceof IOException || cause instanceof IllegalArgumentException
        ? cause : new IOException(TransportConnection.describe(cause), cause);
  }

  /**
   * The outcome of every publish (the token's user context is its {@link Pending}), on Paho's
   * callback thread: a PUBACK frees its slot and lets the next publish out, then its callback
   * hears it.
   */
  private final MqttActionListener outcome = new MqttActionListener() {
    @Override
    public void onSuccess(IMqttToken token) {
      Pending p = (Pending) token.getUserContext();
      int reason = 0;
      if (p.qos > 0) {
        released(p);
        int[] codes = token.getReasonCodes();
        reason = codes == null || codes.length == 0 ? 0 : codes[0];
      }
      TransportConnection.published(p.callback, reason);
    }

    @Override
    public void onFailure(IMqttToken token, Throwable cause) {
      Pending p = (Pending) token.getUserContext();
      if (p.qos > 0) {
        released(p);
      }
      TransportConnection.failed(
          p.callback, publishFailure(cause == null ? token.getException() : cause));
    }
  };

  private void released(Pending p) {
    List<Runnable> failures;
    synchronized (lock) {
      if (p.generation == generation) {
        window.release(p);
      }
      failures = sendLocked();
    }
    runAll(failures);
  }

  // --- subscriptions ---

  @Override
  public void subscribe(String filter, int qos, MqttMessageHandler handler) throws IOException {
    subscriptions.add(filter, qos, handler);
    try {
      IMqttToken token = client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, qos)});
      token.waitForCompletion(config.connectTimeout().toMillis());
      int[] codes = token.getReasonCodes();
      if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
        throw new IOException("broker " + brokerUri + " refused subscription '" + filter
            + "' with reason code 0x" + Integer.toHexString(codes[0]));
      }
    } catch (MqttException e) {
      subscriptions.remove(filter);
      throw new IOException(
          "subscribe failed on " + brokerUri + ": " + TransportConnection.describe(e), e);
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
    try {
      client.unsubscribe(new String[] {filter}, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          done.complete(null);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable cause) {
          unsubscribeFailed(filter, cause == null ? token.getException() : cause, done);
        }
      }, new MqttProperties());
    } catch (MqttException e) {
      unsubscribeFailed(filter, e, done);
    }
    return done;
  }

  private void unsubscribeFailed(String filter, Throwable error, CompletableFuture<Void> done) {
    log.warn("unsubscribe of '{}' on '{}' failed: {}", filter, config.clientId(), String.valueOf(error));
    done.completeExceptionally(error instanceof IOException ? error : new IOException(
        "unsubscribe of '" + filter + "' failed: " + TransportConnection.describe(error), error));
  }

  /** Subscribes again after a reconnect without waiting (Paho's thread); failures are logged. */
  private void resubscribe() {
    List<MqttSubscription> again = new ArrayList<>();
    for (SubscriptionTable.Subscription s : subscriptions.all()) {
      again.add(new MqttSubscription(s.filter(), s.qos()));
    }
    if (!again.isEmpty()) {
      try {
        client.subscribe(again.toArray(new MqttSubscription[0]), null, new MqttActionListener() {
          @Override
          public void onSuccess(IMqttToken token) {}

          @Override
          public void onFailure(IMqttToken token, Throwable cause) {
            log.warn("resubscribe of {} failed: {}", config.clientId(), String.valueOf(cause));
          }
        }, new MqttProperties());
      } catch (MqttException e) {
        log.warn("resubscribe of {} failed: {}", config.clientId(), TransportConnection.describe(e));
      }
    }
    log.info("MQTT connection '{}' to {} back; {} subscription(s) renewed", config.clientId(),
        brokerUri, again.size());
  }

  // --- Paho's callbacks (its callback thread) ---

  @Override
  public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
    try {
      subscriptions.deliver(new Delivery(this, PahoMessages.received(topic, message),
          message.getId(), message.getQos(), generation));
    } catch (RuntimeException e) {
      // Never let one bad message kill Paho's callback thread (and with it the connection).
      log.error("unexpected error handling a message on '{}'", topic, e);
    }
  }

  @Override
  public void disconnected(MqttDisconnectResponse response) {
    List<Pending> dropped;
    boolean wasClosed;
    boolean reconnectNow;
    synchronized (lock) {
      connected = false;
      wasClosed = closed;
      reconnectNow = config.automaticReconnect() && !closed;
      dropped = reconnectNow ? List.of() : window.clear();
    }
    Throwable cause = response.getException() != null
        ? response.getException()
        : new IOException("broker disconnected: reason 0x"
            + Integer.toHexString(response.getReturnCode())
            + (response.getReasonString() == null ? "" : " " + response.getReasonString()));
    for (Pending p : dropped) {
      TransportConnection.failed(p.callback, publishFailure(cause));
    }
    if (!wasClosed) {
      log.warn("MQTT connection '{}' to {} lost ({}){}", config.clientId(), brokerUri,
          TransportConnection.describe(cause), reconnectNow ? "; reconnecting" : "");
      try {
        config.onConnectionLost().accept(cause);
      } catch (RuntimeException e) {
        log.error("The connection-lost action of MQTT connection '{}' failed", config.clientId(), e);
      }
    }
    if (reconnectNow) {
      scheduleReconnect();
    }
  }

  @Override
  public void mqttErrorOccurred(MqttException exception) {
    log.warn("MQTT protocol error on {}: {}", config.clientId(), TransportConnection.describe(exception));
  }

  @Override
  public void deliveryComplete(IMqttToken token) {}

  @Override
  public void connectComplete(boolean reconnect, String serverUri) {}

  @Override
  public void authPacketArrived(int reasonCode, MqttProperties properties) {}

  // --- reconnecting ---

  private void scheduleReconnect() {
    long delay;
    synchronized (lock) {
      if (closed) {
        return;
      }
      delay = reconnectDelayMillis;
      reconnectDelayMillis = Math.min(30_000, reconnectDelayMillis * 2);
    }
    // Closing the lost client and making a new one may wait: not on the scheduler's thread.
    executors.schedule(
        () -> executors.runBlocking("reconnect " + config.clientId(), this::reconnectOnce),
        delay, TimeUnit.MILLISECONDS);
  }

  /** Replaces the lost client by a fresh one; runs off Paho's threads. */
  private void reconnectOnce() {
    try {
      client.close(true);
    } catch (MqttException e) {
      log.debug("closing the lost client of {}: {}", config.clientId(), TransportConnection.describe(e));
    }
    synchronized (lock) {
      if (closed) {
        return;
      }
    }
    try {
      client = newClient();
    } catch (IOException e) {
      log.warn("{}", e.getMessage());
      scheduleReconnect();
      return;
    }
    connectAsync().whenComplete((ok, error) -> {
      if (error != null) {
        log.info("reconnect of '{}' to {} failed ({}); trying again", config.clientId(), brokerUri,
            TransportConnection.describe(error));
        scheduleReconnect();
        return;
      }
      boolean closedMeanwhile;
      synchronized (lock) {
        closedMeanwhile = closed;
      }
      if (closedMeanwhile) {
        closeQuietly();
        return;
      }
      // A clean session lost its subscriptions; a kept one does not mind them made again.
      resubscribe();
      try {
        config.onReconnect().run();
      } catch (RuntimeException e) {
        log.error("The reconnect action of MQTT connection '{}' failed", config.clientId(), e);
      }
    });
  }

  // --- closing ---

  /** Fails the publishes still waiting, disconnects (ending the session) and frees Paho's threads. */
  @Override
  public void close() {
    List<Pending> dropped;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      dropped = window.clear();
    }
    for (Pending p : dropped) {
      TransportConnection.failed(p.callback, new IOException("MQTT connection closed"));
    }
    closeQuietly();
    executors.release();
    log.info("MQTT connection '{}' to {} closed", config.clientId(), config.brokerUri());
  }

  private void closeQuietly() {
    MqttAsyncClient c = client;
    try {
      if (c.isConnected()) {
        // A deliberate close ends the session too (expiry 0 in DISCONNECT), so the broker keeps
        // no subscriptions (or queued requests) for a client that is not coming back.
        MqttProperties endSession = new MqttProperties();
        if (config.sessionExpiry().toSeconds() > 0) {
          endSession.setSessionExpiryInterval(0L);
        }
        c.disconnect(2_000, null, null, 0, endSession).waitForCompletion(3_000);
      }
    } catch (MqttException e) {
      log.debug("disconnect of {}: {}", config.clientId(), TransportConnection.describe(e));
      try {
        c.disconnectForcibly(0, 1_000, false);
      } catch (MqttException ignored) {
        // already gone
      }
    }
    try {
      c.close(true);
    } catch (MqttException e) {
      log.debug("close of {}: {}", config.clientId(), TransportConnection.describe(e));
    }
  }

  /**
   * Sends the PUBACK of a message that arrived on connection {@code generation}; nothing when that
   * connection is gone (the broker resends what was not acknowledged, or its session is gone).
   */
  private void acknowledge(int messageId, int qos, int generation) {
    MqttAsyncClient current;
    synchronized (lock) {
      if (qos == 0 || !connected || generation != this.generation) {
        return;
      }
      current = client;
    }
    try {
      current.messageArrivedComplete(messageId, qos);
    } catch (MqttException e) {
      log.debug("PUBACK of message {} on {} not sent: {}", messageId, config.clientId(),
          TransportConnection.describe(e));
    }
  }

  /** A received message; extends its acknowledged flag rather than holding one more object. */
  static final class Delivery extends AtomicBoolean implements MqttDelivery {
    private static final long serialVersionUID = 1L;

    private final transient PahoMqttConnection connection;
    private final transient MqttMessage message;
    private final int id;
    private final int qos;
    private final int generation;

    Delivery(PahoMqttConnection connection, MqttMessage message, int id, int qos, int generation) {
      this.connection = connection;
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
      if (connection.manualAcks && compareAndSet(false, true)) {
        connection.acknowledge(id, qos, generation);
      }
    }
  }
}
