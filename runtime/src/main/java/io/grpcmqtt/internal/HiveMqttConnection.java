package io.grpcmqtt.internal;

import com.hivemq.client.internal.mqtt.message.publish.MqttPublish;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfigBuilder;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.MqttWebSocketConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.exceptions.MqttClientStateException;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5RxClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilderBase;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5WillPublish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5WillPublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.grpcmqtt.mqtt.MqttConnectionConfig;
import io.grpcmqtt.mqtt.MqttDelivery;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttMessageHandler;
import io.grpcmqtt.mqtt.MqttPublishResult;
import io.grpcmqtt.mqtt.MqttUserProperty;
import io.reactivex.Flowable;
import io.reactivex.FlowableSubscriber;
import io.reactivex.schedulers.Schedulers;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.annotation.Nullable;
import javax.annotation.concurrent.GuardedBy;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link io.grpcmqtt.mqtt.MqttConnection} on the HiveMQ MQTT client ({@link
 * io.grpcmqtt.mqtt.MqttClientLibrary#HIVEMQ}). The client brings what {@link PahoMqttConnection} adds to
 * Paho by hand: it queues QoS 1 publishes beyond the broker's receive maximum, reconnects with
 * back-off (1 s to 30 s) and subscribes again when the session is gone; Netty, which it runs on,
 * sets TCP_NODELAY on its sockets. This class translates between the public types and HiveMQ's.
 *
 * <p>Every message arrives through one global flow, so handlers run one message at a time, in
 * the order the broker sent them, as with Paho: on the connection's Netty thread, which they must
 * not block. Publish outcomes run on that thread too (the client's application scheduler is the
 * trampoline), as Paho runs them on its callback thread.
 */
public final class HiveMqttConnection
    implements io.grpcmqtt.mqtt.MqttConnection, TransportConnection.CallbackPublisher {
  private static final Logger log = LoggerFactory.getLogger(HiveMqttConnection.class);

  private final MqttConnectionConfig config;
  private final Mqtt5AsyncClient client;
  private final Mqtt5RxClient rx;
  private final SubscriptionTable subscriptions;
  private final boolean manualAcks;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object lock = new Object();
  /**
   * Publishes refused while the client's state said disconnected: it says so while the
   * disconnected listeners run, before it starts reconnecting. They go out on the next connect.
   */
  @GuardedBy("lock")
  private final List<Runnable> waitingForConnect = new ArrayList<>();
  /** Set once the first CONNACK arrived: from then on a disconnect is a loss, not a failed start. */
  private volatile boolean established;
  /** The broker's packet limit of this connection (0: none), or -1 until read; see there. */
  private volatile long maximumPacketSize = -1;

  private HiveMqttConnection(MqttConnectionConfig config) {
    this.config = config;
    this.manualAcks = config.manualAcknowledgement() > 0;
    this.subscriptions = new SubscriptionTable(manualAcks);
    Mqtt5ClientBuilder b = MqttClient.builder()
        .useMqttVersion5()
        .identifier(config.clientId())
        .transportConfig(transport(config))
        // Outcomes (PUBACKs, SUBACKs) on the Netty thread that read them, as Paho's come on its
        // callback thread: the default scheduler, RxJava's computation pool, is one more thread
        // to wake per publish, which on a small machine costs more than the callback it runs.
        .executorConfig().applicationScheduler(Schedulers.trampoline()).applyExecutorConfig()
        .addConnectedListener(context -> connected())
        .addDisconnectedListener(this::disconnected);
    // Credentials and will on the client, not the CONNECT message: the client's own reconnects
    // send them too.
    if (config.username() != null) {
      byte[] password = config.password();
      if (password == null) {
        b.simpleAuth().username(config.username()).applySimpleAuth();
      } else {
        b.simpleAuth().username(config.username()).password(password).applySimpleAuth();
      }
    }
    MqttMessage will = config.will();
    if (will != null) {
      Mqtt5WillPublishBuilder.Complete w = Mqtt5WillPublish.builder()
          .topic(will.topic())
          .payload(will.payload())
          .qos(qos(will.qos()))
          .retain(will.retain())
          .delayInterval(config.willDelay().toSeconds());
      w = applyProperties(w, will);
      b = b.willPublish(w.build().asWill());
    }
    if (config.automaticReconnect()) {
      b.automaticReconnect()
          .initialDelay(1, TimeUnit.SECONDS)
          .maxDelay(30, TimeUnit.SECONDS)
          .applyAutomaticReconnect();
    }
    this.client = b.buildAsync();
    this.rx = client.toRx();
    // Registered before connecting, so nothing (a retained message right after a SUBACK) is missed.
    // Handed over on the connection's Netty thread, as Paho hands over on its callback thread:
    // no hop to another thread, and the PUBACK of an automatically acknowledged message goes out
    // as soon as its handler returns (a broker holds a message in flight until then).
    client.publishes(MqttGlobalPublishFilter.ALL, this::arrived, Runnable::run, manualAcks);
  }

  /** See {@link io.grpcmqtt.mqtt.MqttConnection#connect}. */
  public static HiveMqttConnection connect(MqttConnectionConfig config) throws IOException {
    HiveMqttConnection c = new HiveMqttConnection(config);
    try {
      c.client.connect(c.connectMessage())
          .get(config.connectTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      c.stop();
      throw new IOException(c.describeConnectFailure(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      c.stop();
      throw new IOException("no answer from MQTT broker " + config.brokerUri() + " within "
          + config.connectTimeout().toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      c.stop();
      throw new IOException("interrupted while connecting to " + config.brokerUri(), e);
    }
    log.info("MQTT connection '{}' to {} up (HiveMQ client)", config.clientId(), config.brokerUri());
    return c;
  }

  private static MqttClientTransportConfig transport(MqttConnectionConfig config) {
    if (config.socketFactory() != null) {
      throw new IllegalArgumentException("the HiveMQ MQTT client takes no SocketFactory or"
          + " SSLContext: give TLS as tls(trustManagerFactory, keyManagerFactory), or use the"
          + " Paho client");
    }
    URI uri = config.brokerUri();
    String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    boolean tls = scheme.equals("ssl") || scheme.equals("wss");
    boolean webSocket = scheme.equals("ws") || scheme.equals("wss");
    int port = uri.getPort() > 0 ? uri.getPort()
        : webSocket ? (tls ? 443 : 80) : (tls ? 8883 : 1883);
    MqttClientTransportConfigBuilder t = MqttClientTransportConfig.builder()
        .serverHost(uri.getHost())
        .serverPort(port)
        .socketConnectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .mqttConnectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    if (tls) {
      t = t.sslConfig(MqttClientSslConfig.builder()
          .trustManagerFactory(config.trustManagers())
          .keyManagerFactory(config.keyManagers())
          .build());
    }
    if (webSocket) {
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      t = t.webSocketConfig(MqttWebSocketConfig.builder()
          .serverPath(path.startsWith("/") ? path.substring(1) : path)
          .build());
    }
    return t.build();
  }

  private Mqtt5Connect connectMessage() {
    long sessionSeconds = config.sessionExpiry().toSeconds();
    Mqtt5ConnectBuilder c = Mqtt5Connect.builder()
        .keepAlive((int) config.keepAlive().toSeconds())
        .cleanStart(sessionSeconds == 0)
        .sessionExpiryInterval(sessionSeconds);
    c.restrictions().receiveMaximum(manualAcks ? config.manualAcknowledgement() : 65_535)
        .applyRestrictions();
    return c.build();
  }

  private String describeConnectFailure(Throwable cause) {
    String why;
    if (cause instanceof Mqtt5ConnAckException) {
      // As Paho says it ("Not authorized (135)"): the reason, readable, and its code.
      Mqtt5ConnAckReasonCode code = ((Mqtt5ConnAckException) cause).getMqttMessage().getReasonCode();
      String name = code.name().replace('_', ' ').toLowerCase(java.util.Locale.ROOT);
      why = Character.toUpperCase(name.charAt(0)) + name.substring(1) + " (" + code.getCode() + ")";
    } else {
      why = cause == null ? "unknown error" : TransportConnection.describe(cause);
    }
    return "cannot connect to MQTT broker " + config.brokerUri() + " as '" + config.clientId()
        + "': " + why;
  }

  @Override
  public MqttConnectionConfig config() {
    return config;
  }

  @Override
  public boolean isConnected() {
    return !closed.get() && client.getState().isConnected();
  }

  @Override
  public long maximumPacketSize() {
    // Asked at least twice per publish (the transport's split, then publish): read once per
    // connection, when it is up; unknown (-1) while down or before the first read.
    long max = maximumPacketSize;
    if (max < 0) {
      max = readMaximumPacketSize();
      if (client.getState().isConnected()) {
        maximumPacketSize = max;
      }
    }
    return max;
  }

  private long readMaximumPacketSize() {
    return client.getConfig().getConnectionConfig()
        .map(c -> c.getRestrictionsForClient().getSendMaximumPacketSize())
        .filter(max -> max < PublishSize.PROTOCOL_MAX)
        .map(max -> (long) max)
        .orElse(0L);
  }

  @Override
  public CompletableFuture<MqttPublishResult> publish(MqttMessage message) {
    CompletableFuture<MqttPublishResult> result = new CompletableFuture<>();
    publish(message, TransportConnection.completing(result));
    return result;
  }

  /** {@link #publish(MqttMessage)} for the runtime: the outcome goes to {@code callback}. */
  @Override
  public void publish(MqttMessage message, TransportConnection.PublishCallback callback) {
    if (closed.get()) {
      TransportConnection.failed(callback, new IOException("MQTT connection closed"));
      return;
    }
    long max = maximumPacketSize();
    if (max > 0) {
      int size = PublishSize.of(message);
      if (size > max) {
        TransportConnection.failed(callback, new PacketTooLargeException(size, (int) max));
        return;
      }
    }
    Mqtt5PublishBuilder.Complete p = Mqtt5Publish.builder()
        .topic(message.topic())
        .qos(qos(message.qos()))
        .payload(MqttMessageAccess.payload(message))
        .retain(message.retain());
    p = applyProperties(p, message);
    send(p.build(), callback);
  }

  private void send(Mqtt5Publish publish, TransportConnection.PublishCallback callback) {
    // The reactive API rather than the future one: the outcome then reaches the callback on the
    // thread that emits it (the Netty thread that read the PUBACK, as the application scheduler is
    // the trampoline), never on whichever thread comes to a future that is already complete, and
    // with no future in between.
    rx.publish(Flowable.just(publish)).subscribe(new Outcome(publish, callback));
  }

  /** What became of one publish: tells its callback once. */
  private final class Outcome implements FlowableSubscriber<Mqtt5PublishResult> {
    private final Mqtt5Publish publish;
    private final TransportConnection.PublishCallback callback;
    private boolean told;

    Outcome(Mqtt5Publish publish, TransportConnection.PublishCallback callback) {
      this.publish = publish;
      this.callback = callback;
    }

    @Override
    public void onSubscribe(Subscription s) {
      s.request(1);
    }

    @Override
    public void onNext(Mqtt5PublishResult result) {
      told = true;
      Throwable error = result.getError().orElse(null);
      if (error == null) {
        TransportConnection.published(callback, reasonCode(result));
      } else {
        failed(publish, callback, error);
      }
    }

    @Override
    public void onError(Throwable error) {
      if (!told) {
        told = true;
        failed(publish, callback, error);
      }
    }

    @Override
    public void onComplete() {}
  }

  private void failed(Mqtt5Publish publish, TransportConnection.PublishCallback callback,
      Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (cause instanceof MqttClientStateException && config.automaticReconnect()
        && !closed.get() && established) {
      boolean now;
      synchronized (lock) {
        now = client.getState().isConnectedOrReconnect();
        if (!now) {
          waitingForConnect.add(() -> send(publish, callback));
        }
      }
      if (now) {
        send(publish, callback);
      }
    } else if (cause instanceof Mqtt5PubAckException) {
      // A refusal is an answer, not a failure: the caller reads the reason code.
      TransportConnection.published(callback,
          ((Mqtt5PubAckException) cause).getMqttMessage().getReasonCode().getCode());
    } else {
      TransportConnection.failed(callback, cause instanceof IOException ? cause
          : new IOException(TransportConnection.describe(cause), cause));
    }
  }

  private static int reasonCode(Mqtt5PublishResult result) {
    if (result instanceof Mqtt5PublishResult.Mqtt5Qos1Result) {
      return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode().getCode();
    }
    if (result instanceof Mqtt5PublishResult.Mqtt5Qos2Result) {
      return ((Mqtt5PublishResult.Mqtt5Qos2Result) result).getPubRec().getReasonCode().getCode();
    }
    return 0;
  }

  /** Sets the properties of {@code m} on a HiveMQ publish (or will) builder. */
  private static <C extends Mqtt5PublishBuilderBase.Complete<C>> C applyProperties(
      C p, MqttMessage m) {
    if (m.responseTopic() != null) {
      p = p.responseTopic(m.responseTopic());
    }
    byte[] correlation = MqttMessageAccess.correlationData(m);
    if (correlation != null) {
      p = p.correlationData(correlation);
    }
    if (m.contentType() != null) {
      p = p.contentType(m.contentType());
    }
    if (m.messageExpirySeconds() != null) {
      p = p.messageExpiryInterval(m.messageExpirySeconds());
    }
    List<MqttUserProperty> user = m.userProperties();
    if (!user.isEmpty()) {
      Mqtt5UserProperty[] hive = new Mqtt5UserProperty[user.size()];
      for (int i = 0; i < hive.length; i++) {
        MqttUserProperty u = user.get(i);
        hive[i] = Mqtt5UserProperty.of(u.name(), u.value());
      }
      p = p.userProperties(Mqtt5UserProperties.of(hive));
    }
    return p;
  }

  private static final byte[] EMPTY = new byte[0];

  private static MqttQos qos(int qos) {
    return MqttQos.fromCode(qos);
  }

  @Override
  public void subscribe(String filter, int qos, MqttMessageHandler handler) throws IOException {
    subscriptions.add(filter, qos, handler);
    try {
      Mqtt5SubAck ack = client.subscribeWith().topicFilter(filter).qos(qos(qos)).send()
          .get(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
      checkGranted(filter, ack);
    } catch (ExecutionException e) {
      subscriptions.remove(filter);
      if (e.getCause() instanceof Mqtt5SubAckException) {
        checkGranted(filter, ((Mqtt5SubAckException) e.getCause()).getMqttMessage());
      }
      throw new IOException("subscribe failed on " + config.brokerUri() + ": "
          + TransportConnection.describe(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      subscriptions.remove(filter);
      throw new IOException("no SUBACK for '" + filter + "' from " + config.brokerUri()
          + " within " + config.connectTimeout().toMillis() + " ms");
    } catch (InterruptedException e) {
      subscriptions.remove(filter);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while subscribing to '" + filter + "'", e);
    } catch (IOException e) {
      subscriptions.remove(filter);
      throw e;
    }
  }

  private void checkGranted(String filter, Mqtt5SubAck ack) throws IOException {
    for (Mqtt5SubAckReasonCode code : ack.getReasonCodes()) {
      if (code.isError()) {
        throw new IOException("broker " + config.brokerUri() + " refused subscription '" + filter
            + "' with reason code 0x" + Integer.toHexString(code.getCode()));
      }
    }
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String filter) {
    if (!subscriptions.remove(filter)) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    client.unsubscribeWith().topicFilter(filter).send().whenComplete((ack, error) -> {
      if (error == null) {
        done.complete(null);
      } else {
        log.warn("unsubscribe of '{}' on '{}' failed: {}", filter, config.clientId(), error.toString());
        done.completeExceptionally(new IOException(
            "unsubscribe of '" + filter + "' failed: " + TransportConnection.describe(error), error));
      }
    });
    return done;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      stop();
      log.info("MQTT connection '{}' to {} closed", config.clientId(), config.brokerUri());
    }
  }

  /** Disconnects (ending a kept session too) or stops reconnecting, waiting up to 3 s. */
  private void stop() {
    closed.set(true);
    List<Runnable> waiting;
    synchronized (lock) {
      waiting = new ArrayList<>(waitingForConnect);
      waitingForConnect.clear();
    }
    // Each fails at once now that the connection is closed.
    waiting.forEach(Runnable::run);
    try {
      client.disconnectWith().sessionExpiryInterval(0).send().get(3, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      log.debug("disconnect of {}: {}", config.clientId(), String.valueOf(e.getCause()));
    } catch (TimeoutException e) {
      log.debug("disconnect of {} timed out", config.clientId());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // --- the client's callbacks ---

  private void arrived(Mqtt5Publish publish) {
    subscriptions.deliver(new Delivery(this, received(publish), publish));
  }

  /**
   * A received message as the public type. The client's own publish type hands out its fields
   * as they are ({@code getRaw...}: no {@code Optional}, no read-only view, no copy of the payload
   * or correlation data); the public interface's getters are the way for any other.
   */
  static MqttMessage received(Mqtt5Publish publish) {
    List<MqttUserProperty> user = userProperties(publish);
    if (publish instanceof MqttPublish) {
      MqttPublish p = (MqttPublish) publish;
      MqttUtf8String responseTopic = p.getRawResponseTopic();
      MqttUtf8String contentType = p.getRawContentType();
      long expiry = p.getRawMessageExpiryInterval();
      return ReceivedMessages.of(
          p.getTopic().toString(),
          bytes(p.getRawPayload()),
          p.getQos().getCode(),
          p.isRetain(),
          responseTopic == null ? null : responseTopic.toString(),
          p.getRawCorrelationData() == null ? null : bytes(p.getRawCorrelationData()),
          contentType == null ? null : contentType.toString(),
          expiry == MqttPublish.NO_MESSAGE_EXPIRY ? null : expiry,
          user);
    }
    MqttUtf8String responseTopic = publish.getResponseTopic().orElse(null);
    ByteBuffer correlation = publish.getCorrelationData().orElse(null);
    MqttUtf8String contentType = publish.getContentType().orElse(null);
    OptionalLong expiry = publish.getMessageExpiryInterval();
    return ReceivedMessages.of(
        publish.getTopic().toString(),
        publish.getPayloadAsBytes(),
        publish.getQos().getCode(),
        publish.isRetain(),
        responseTopic == null ? null : responseTopic.toString(),
        correlation == null ? null : bytes(correlation),
        contentType == null ? null : contentType.toString(),
        expiry.isPresent() ? expiry.getAsLong() : null,
        user);
  }

  private static List<MqttUserProperty> userProperties(Mqtt5Publish publish) {
    List<? extends Mqtt5UserProperty> received = publish.getUserProperties().asList();
    if (received.isEmpty()) {
      return List.of();
    }
    MqttUserProperty[] user = new MqttUserProperty[received.size()];
    for (int i = 0; i < user.length; i++) {
      Mqtt5UserProperty u = received.get(i);
      user[i] = new MqttUserProperty(u.getName().toString(), u.getValue().toString());
    }
    return new UserPropertyList(user);
  }

  /**
   * The bytes of a buffer the client decoded for this one message: its array itself when the
   * buffer is all of it (the client allocates one heap buffer per payload and per correlation
   * data, and nobody writes it afterward), else a copy. Empty for null (no payload).
   */
  private static byte[] bytes(@Nullable ByteBuffer buffer) {
    if (buffer == null) {
      return EMPTY;
    }
    if (buffer.hasArray() && !buffer.isReadOnly() && buffer.arrayOffset() == 0
        && buffer.position() == 0 && buffer.remaining() == buffer.array().length) {
      return buffer.array();
    }
    byte[] b = new byte[buffer.remaining()];
    buffer.duplicate().get(b);
    return b;
  }

  private void connected() {
    maximumPacketSize = -1; // a new CONNACK may name another limit
    List<Runnable> waiting;
    synchronized (lock) {
      waiting = new ArrayList<>(waitingForConnect);
      waitingForConnect.clear();
    }
    waiting.forEach(Runnable::run);
    if (!established) {
      established = true;
      return;
    }
    // The client subscribed again itself if the session was gone (resubscribeIfSessionExpired).
    log.info("MQTT connection '{}' to {} back; {} subscription(s) renewed", config.clientId(),
        config.brokerUri(), subscriptions.all().size());
    try {
      config.onReconnect().run();
    } catch (RuntimeException e) {
      log.error("The reconnect action of MQTT connection '{}' failed", config.clientId(), e);
    }
  }

  private void disconnected(MqttClientDisconnectedContext context) {
    maximumPacketSize = -1;
    if (closed.get() || context.getSource() == MqttDisconnectSource.USER) {
      return;
    }
    if (!established) {
      // A failed first connect is reported by connect(); it is not retried.
      context.getReconnector().reconnect(false);
      return;
    }
    // Publishes waiting in the lost session go out again on the new one, as with Paho.
    context.getReconnector().republishIfSessionExpired(true);
    if (context.getReconnector().getAttempts() > 0) {
      // A failed reconnect: the loss was reported already.
      log.info("reconnect of '{}' to {} failed ({}); trying again", config.clientId(),
          config.brokerUri(), TransportConnection.describe(context.getCause()));
      return;
    }
    Throwable cause = context.getCause();
    log.warn("MQTT connection '{}' to {} lost ({}){}", config.clientId(), config.brokerUri(),
        TransportConnection.describe(cause), config.automaticReconnect() ? "; reconnecting" : "");
    try {
      config.onConnectionLost().accept(cause);
    } catch (RuntimeException e) {
      log.error("The connection-lost action of MQTT connection '{}' failed", config.clientId(), e);
    }
  }

  /** A received message; extends its acknowledged flag rather than holding one more object. */
  static final class Delivery extends AtomicBoolean implements MqttDelivery {
    private static final long serialVersionUID = 1L;

    private final transient HiveMqttConnection connection;
    private final transient MqttMessage message;
    private final transient Mqtt5Publish publish;

    Delivery(HiveMqttConnection connection, MqttMessage message, Mqtt5Publish publish) {
      this.connection = connection;
      this.message = message;
      this.publish = publish;
    }

    @Override
    public MqttMessage message() {
      return message;
    }

    @Override
    public void acknowledge() {
      if (connection.manualAcks && message.qos() > 0 && compareAndSet(false, true)) {
        try {
          publish.acknowledge();
        } catch (RuntimeException e) {
          log.debug("PUBACK on {} not sent: {}", connection.config.clientId(), e.toString());
        }
      }
    }
  }
}
