package io.grpcmqtt.internal;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;
import javax.net.SocketFactory;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Paho v5 connection with a publish window and a reconnect of its own: the engine of {@link
 * PahoMqttConnection}, the only class that uses it.
 *
 * <p>Paho throws (32202) instead of queueing once the broker's receive maximum of QoS 1 publishes
 * is in flight, so publishes wait here, in order, until a PUBACK frees a slot. Everything Paho
 * calls back runs on its single callback thread and must not block.
 */
final class PahoClient implements MqttCallback {
  private static final Logger log = LoggerFactory.getLogger(PahoClient.class);
  private static final int MAX_INFLIGHT_REASON = 32202;


  /** Receives what arrives; every method runs on Paho's callback thread. */
  interface Listener {
    void messageArrived(String topic, MqttMessage message);

    /** The connection dropped; when this connection reconnects, {@link #reconnected} follows. */
    void connectionLost(Throwable cause);

    /** A reconnect succeeded: renew subscriptions (a session may not have survived). */
    void reconnected();
  }

  /** Outcome of one publish. Runs on Paho's callback thread or the publishing thread. */
  interface PublishCallback {
    /** The broker took the message; reasonCode is the PUBACK reason (0 for QoS 0). */
    void published(int reasonCode);

    void failed(Throwable cause);
  }

  /** The last will, as Paho takes it. */
  static final class Will {
    final String topic;
    final byte[] payload;
    final int qos;
    final boolean retained;
    @Nullable final MqttProperties properties;

    Will(String topic, byte[] payload, int qos, boolean retained, @Nullable MqttProperties properties) {
      this.topic = topic;
      this.payload = payload;
      this.qos = qos;
      this.retained = retained;
      this.properties = properties;
    }
  }

  private final ConnectionConfig config;
  /** Replaced on every reconnect: a fresh Paho client carries no state from the lost one. */
  private volatile MqttAsyncClient client;

  private final boolean reconnect;
  private final MqttConnectionOptions options;
  private final Listener listener;
  private final Object lock = new Object();
  /** For the 32202 retry and the reconnect back-off; released when closed or not connected. */
  private final RuntimeExecutors.Lease executors = RuntimeExecutors.acquire();

  @GuardedBy("lock")
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();

  @GuardedBy("lock")
  private int inFlight;

  @GuardedBy("lock")
  private int window = 10;

  @GuardedBy("lock")
  private boolean connected;

  @GuardedBy("lock")
  private boolean closed;

  /** Counts connections; an ack from an older one says nothing about the current window. */
  @GuardedBy("lock")
  private int generation;

  @GuardedBy("lock")
  private long reconnectDelayMillis = 1_000;

  /** The broker's Maximum Packet Size from CONNACK; no publish above it is ever handed to Paho. */
  private volatile int maxPacketSize = PublishSize.PROTOCOL_MAX;

  /** Set before connecting: PUBACKs wait for {@link #acknowledge} (see {@link #acknowledgeManually}). */
  private volatile boolean manualAcks;

  PahoClient(
      ConnectionConfig config, @Nullable Will will, boolean automaticReconnect, Listener listener)
      throws IOException {
    this.config = config;
    this.listener = listener;
    this.reconnect = automaticReconnect;
    try {
      this.client = newClient();
    } catch (IOException | RuntimeException e) {
      executors.release(); // never connected, never closed
      throw e;
    }
    options = new MqttConnectionOptions();
    // A session that outlives the connection keeps the subscriptions, so QoS 1 requests
    // published while this client is briefly away are delivered when it returns.
    long sessionSeconds = config.sessionExpiry().getSeconds();
    options.setCleanStart(sessionSeconds == 0);
    if (sessionSeconds > 0) {
      options.setSessionExpiryInterval(sessionSeconds);
    }
    // Paho's own reconnect resends the lost connection's in-flight publishes on top of new
    // ones, beyond the broker's receive maximum (Mosquitto then disconnects with 0x82, over and
    // over): reconnecting here, with a fresh client, avoids that.
    options.setAutomaticReconnect(false);
    options.setKeepAliveInterval((int) config.keepAlive().getSeconds());
    options.setConnectionTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
    options.setReceiveMaximum(65_535);
    SocketFactory base = config.socketFactory();
    if (base == null) {
      base = config.isTls() ? config.tlsContext().getSocketFactory() : SocketFactory.getDefault();
    }
    options.setSocketFactory(NoDelaySocketFactory.wrap(base));
    if (config.username() != null) {
      options.setUserName(config.username());
      byte[] password = config.password();
      if (password != null) {
        options.setPassword(password);
      }
    }
    if (will != null) {
      MqttMessage willMessage = new MqttMessage(will.payload);
      willMessage.setQos(will.qos);
      willMessage.setRetained(will.retained);
      options.setWill(will.topic, willMessage);
      MqttProperties willProperties = will.properties != null ? will.properties : new MqttProperties();
      if (!config.willDelay().isZero()) {
        willProperties.setWillDelayInterval(config.willDelay().getSeconds());
      }
      if (will.properties != null || !config.willDelay().isZero()) {
        options.setWillMessageProperties(willProperties);
      }
    }
  }

  String clientId() {
    return config.clientId();
  }

  /** The largest PUBLISH the broker accepts, in bytes (MQTT's own limit when it named none). */
  int maximumPacketSize() {
    return maxPacketSize;
  }

  /**
   * Before {@link #connect}: a received QoS 1/2 message is acknowledged only by {@link
   * #acknowledge}, and the broker sends at most {@code receiveMaximum} unacknowledged ones, so a
   * slow consumer slows the broker instead of growing a queue.
   */
  void acknowledgeManually(int receiveMaximum) {
    manualAcks = true;
    client.setManualAcks(true);
    options.setReceiveMaximum(receiveMaximum);
  }

  /** Which connection (counting reconnects) is current; pass it to {@link #acknowledge}. */
  int generation() {
    synchronized (lock) {
      return generation;
    }
  }

  /**
   * Sends the PUBACK of a message that arrived on connection {@code generation}; nothing when that
   * connection is gone (the broker resends what was not acknowledged, or its session is gone).
   */
  void acknowledge(int messageId, int qos, int generation) {
    MqttAsyncClient current;
    synchronized (lock) {
      if (!manualAcks || qos == 0 || !connected || generation != this.generation) {
        return;
      }
      current = client;
    }
    try {
      current.messageArrivedComplete(messageId, qos);
    } catch (MqttException e) {
      log.debug("PUBACK of message {} on {} not sent: {}", messageId, config.clientId(), describe(e));
    }
  }

  private MqttAsyncClient newClient() throws IOException {
    try {
      MqttAsyncClient c =
          new MqttAsyncClient(config.brokerUriString(), config.clientId(), new MemoryPersistence());
      c.setCallback(this);
      c.setManualAcks(manualAcks);
      return c;
    } catch (MqttException e) {
      throw new IOException("cannot create MQTT client for " + config.brokerUriString(), e);
    }
  }

  /** Connects, waiting at most the connect timeout. */
  void connect() throws IOException {
    boolean connected = false;
    try {
      connectOnce();
      connected = true;
    } finally {
      if (!connected) {
        executors.release(); // nobody will close a connection that never was
      }
    }
  }

  private void connectOnce() throws IOException {
    CompletableFuture<Void> done = connectAsync();
    try {
      done.get(config.connectTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException(describeConnectFailure(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      closeQuietly();
      throw new IOException(
          "no answer from MQTT broker " + config.brokerUriString() + " within "
              + config.connectTimeout().toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly();
      throw new IOException("interrupted while connecting to " + config.brokerUriString(), e);
    }
  }

  /** Starts connecting; the future fails with Paho's exception. */
  CompletableFuture<Void> connectAsync() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      client.connect(
          options,
          null,
          new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              MqttProperties props = token.getResponseProperties();
              Integer receiveMax = props == null ? null : props.getReceiveMaximum();
              Long maxPacket = props == null ? null : props.getMaximumPacketSize();
              maxPacketSize = maxPacket == null || maxPacket <= 0 || maxPacket > PublishSize.PROTOCOL_MAX
                  ? PublishSize.PROTOCOL_MAX : maxPacket.intValue();
              synchronized (lock) {
                window = receiveMax == null || receiveMax <= 0 ? 65_535 : receiveMax;
                connected = true;
                generation++;
                inFlight = 0;
                reconnectDelayMillis = 1_000;
              }
              done.complete(null);
              drain();
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

  String describeConnectFailure(Throwable cause) {
    return "cannot connect to MQTT broker " + config.brokerUriString() + " as '"
        + config.clientId() + "': " + (cause == null ? "unknown error" : describe(cause));
  }

  static String describe(Throwable t) {
    String message = t.getMessage();
    if (t.getCause() != null && t.getCause() != t) {
      message = message + " (" + t.getCause() + ")";
    }
    return message;
  }

  /** Subscribes and waits for the SUBACK; a refused filter is an IOException naming it. */
  void subscribe(List<MqttSubscription> subscriptions) throws IOException {
    if (subscriptions.isEmpty()) {
      return;
    }
    try {
      IMqttToken token = client.subscribe(subscriptions.toArray(new MqttSubscription[0]));
      token.waitForCompletion(config.connectTimeout().toMillis());
      int[] codes = token.getReasonCodes();
      for (int i = 0; codes != null && i < codes.length && i < subscriptions.size(); i++) {
        if (codes[i] >= 0x80) {
          throw new IOException(
              "broker " + config.brokerUriString() + " refused subscription '"
                  + subscriptions.get(i).getTopic() + "' with reason code 0x"
                  + Integer.toHexString(codes[i]));
        }
      }
    } catch (MqttException e) {
      throw new IOException("subscribe failed on " + config.brokerUriString() + ": " + describe(e), e);
    }
  }

  /** Subscribes without waiting; failures are logged (used on reconnect, from Paho's thread). */
  void subscribeAsync(List<MqttSubscription> subscriptions) {
    if (subscriptions.isEmpty()) {
      return;
    }
    try {
      client.subscribe(
          subscriptions.toArray(new MqttSubscription[0]),
          null,
          new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {}

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
              log.warn("resubscribe of {} failed: {}", config.clientId(), String.valueOf(cause));
            }
          },
          new MqttProperties());
    } catch (MqttException e) {
      log.warn("resubscribe of {} failed: {}", config.clientId(), describe(e));
    }
  }

  /**
   * Unsubscribes; the future completes when the UNSUBACK arrives (from then on the broker routes
   * nothing more to these filters), or fails with Paho's exception.
   */
  CompletableFuture<Void> unsubscribeFuture(List<String> filters) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (filters.isEmpty()) {
      done.complete(null);
      return done;
    }
    try {
      client.unsubscribe(
          filters.toArray(new String[0]),
          null,
          new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              done.complete(null);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
              done.completeExceptionally(cause == null ? token.getException() : cause);
            }
          },
          new MqttProperties());
    } catch (MqttException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /**
   * Publishes in order. Never blocks: a publish beyond the broker's receive maximum waits in this
   * connection's queue until a PUBACK frees a slot. The caller has checked the packet's size
   * against {@link #maximumPacketSize}.
   */
  void publish(
      String topic,
      byte[] payload,
      int qos,
      boolean retained,
      MqttProperties properties,
      PublishCallback callback) {
    Pending pending = new Pending(topic, payload, qos, retained, properties, callback);
    List<Runnable> failures = null;
    synchronized (lock) {
      if (closed) {
        failures = new ArrayList<>();
        failures.add(() -> callback.failed(new IOException("MQTT connection closed")));
      } else {
        queue.add(pending);
        failures = drainLocked();
      }
    }
    runAll(failures);
  }

  private void drain() {
    List<Runnable> failures;
    synchronized (lock) {
      failures = drainLocked();
    }
    runAll(failures);
  }

  /** Sends what the window allows, keeping queue order; returns callbacks to run unlocked. */
  @GuardedBy("lock")
  private List<Runnable> drainLocked() {
    List<Runnable> failures = null;
    while (connected && !queue.isEmpty()) {
      Pending p = queue.peek();
      if (p.qos > 0 && inFlight >= window) {
        break;
      }
      queue.poll();
      p.generation = generation;
      if (p.qos > 0) {
        inFlight++;
      }
      try {
        client.publish(p.topic, p.toMessage(), p, p.qos > 0 ? ackListener : sentListener);
      } catch (MqttException e) {
        if (p.qos > 0) {
          inFlight--;
        }
        if (e.getReasonCode() == MAX_INFLIGHT_REASON) {
          // Paho's own count can lag ours by an ack (eclipse-paho/paho.mqtt.java#993): keep the
          // message first in line and try again on the next ack, or shortly if none is due.
          queue.addFirst(p);
          if (inFlight == 0) {
            executors.schedule(this::drain, 2, TimeUnit.MILLISECONDS);
          }
          break;
        }
        if (failures == null) {
          failures = new ArrayList<>();
        }
        failures.add(() -> p.callback.failed(e));
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

  private final MqttActionListener ackListener =
      new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          Pending p = (Pending) token.getUserContext();
          synchronized (lock) {
            if (p.generation == generation) {
              inFlight--;
            }
          }
          int[] codes = token.getReasonCodes();
          int reason = codes == null || codes.length == 0 ? 0 : codes[0];
          drain();
          p.callback.published(reason);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable cause) {
          Pending p = (Pending) token.getUserContext();
          synchronized (lock) {
            if (p.generation == generation) {
              inFlight--;
            }
          }
          drain();
          p.callback.failed(cause == null ? token.getException() : cause);
        }
      };

  private final MqttActionListener sentListener =
      new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          ((Pending) token.getUserContext()).callback.published(0);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable cause) {
          ((Pending) token.getUserContext())
              .callback.failed(cause == null ? token.getException() : cause);
        }
      };

  /** Fails the publishes still waiting, disconnects (ending the session) and frees Paho's threads. */
  void close() {
    List<Pending> dropped;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      dropped = new ArrayList<>(queue);
      queue.clear();
    }
    for (Pending p : dropped) {
      p.callback.failed(new IOException("MQTT connection closed"));
    }
    closeQuietly();
    executors.release();
  }

  private void closeQuietly() {
    try {
      if (client.isConnected()) {
        // A deliberate close ends the session too (expiry 0 in DISCONNECT), so the broker keeps
        // no subscriptions (or queued requests) for a client that is not coming back.
        MqttProperties endSession = new MqttProperties();
        if (config.sessionExpiry().getSeconds() > 0) {
          endSession.setSessionExpiryInterval(0L);
        }
        client.disconnect(2_000, null, null, 0, endSession).waitForCompletion(3_000);
      }
    } catch (MqttException e) {
      log.debug("disconnect of {}: {}", config.clientId(), describe(e));
      try {
        client.disconnectForcibly(0, 1_000, false);
      } catch (MqttException ignored) {
        // already gone
      }
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      log.debug("close of {}: {}", config.clientId(), describe(e));
    }
  }

  // --- Paho callbacks (callback thread) ---

  @Override
  public void messageArrived(String topic, MqttMessage message) {
    try {
      listener.messageArrived(topic, message);
    } catch (RuntimeException e) {
      // Never let one bad message kill Paho's callback thread (and with it the connection).
      log.error("unexpected error handling a message on '{}'", topic, e);
    }
  }

  @Override
  public void disconnected(MqttDisconnectResponse response) {
    List<Pending> dropped;
    boolean reconnectNow;
    synchronized (lock) {
      connected = false;
      reconnectNow = reconnect && !closed;
      if (reconnectNow) {
        dropped = List.of();
      } else {
        dropped = new ArrayList<>(queue);
        queue.clear();
      }
    }
    Throwable cause =
        response.getException() != null
            ? response.getException()
            : new IOException("broker disconnected: reason 0x"
                + Integer.toHexString(response.getReturnCode())
                + (response.getReasonString() == null ? "" : " " + response.getReasonString()));
    for (Pending p : dropped) {
      p.callback.failed(cause);
    }
    listener.connectionLost(cause);
    if (reconnectNow) {
      scheduleReconnect();
    }
  }

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
    MqttAsyncClient old = client;
    try {
      old.close(true);
    } catch (MqttException e) {
      log.debug("closing the lost client of {}: {}", config.clientId(), describe(e));
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
    connectAsync()
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                log.info(
                    "reconnect of '{}' to {} failed ({}); trying again",
                    config.clientId(), config.brokerUriString(), describe(error));
                scheduleReconnect();
              } else {
                boolean closedMeanwhile;
                synchronized (lock) {
                  closedMeanwhile = closed;
                }
                if (closedMeanwhile) {
                  closeQuietly();
                } else {
                  listener.reconnected();
                }
              }
            });
  }

  @Override
  public void mqttErrorOccurred(MqttException exception) {
    log.warn("MQTT protocol error on {}: {}", config.clientId(), describe(exception));
  }

  @Override
  public void deliveryComplete(IMqttToken token) {}

  @Override
  public void connectComplete(boolean reconnect, String serverUri) {}

  @Override
  public void authPacketArrived(int reasonCode, MqttProperties properties) {}

  private static final class Pending {
    final String topic;
    final byte[] payload;
    final int qos;
    final boolean retained;
    final MqttProperties properties;
    final PublishCallback callback;
    /** The connection it was handed to; set under the connection's lock. */
    int generation;

    Pending(
        String topic,
        byte[] payload,
        int qos,
        boolean retained,
        MqttProperties properties,
        PublishCallback callback) {
      this.topic = topic;
      this.payload = payload;
      this.qos = qos;
      this.retained = retained;
      this.properties = properties;
      this.callback = callback;
    }

    MqttMessage toMessage() {
      MqttMessage m = new MqttMessage(payload);
      m.setQos(qos);
      m.setRetained(retained);
      m.setProperties(properties);
      return m;
    }
  }
}
