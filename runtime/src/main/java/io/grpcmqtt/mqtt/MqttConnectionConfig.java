package io.grpcmqtt.mqtt;

import io.grpcmqtt.internal.ConnectionConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import javax.annotation.Nullable;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Immutable settings of one {@link MqttConnection}; made with {@link #builder(String)}, whose
 * setters check their input (an {@code IllegalArgumentException} names the setting).
 *
 * <pre>{@code
 * MqttConnectionConfig config = MqttConnectionConfig.builder("ssl://broker.example:8883")
 *     .clientId("ingest-7")
 *     .credentials("ingest", "secret")
 *     .sslContext(sslContext)
 *     .manualAcknowledgement(100)
 *     .build();
 * }</pre>
 */
public final class MqttConnectionConfig {
  /** Used when the receive maximum is not given: MQTT's largest. */
  public static final int UNLIMITED_RECEIVE_MAXIMUM = 65_535;

  private static final Runnable NOTHING = () -> {};

  private final ConnectionConfig connection;
  private final boolean automaticReconnect;
  private final int manualAcknowledgement;
  @Nullable private final MqttMessage will;
  private final Runnable onReconnect;
  private final Consumer<Throwable> onConnectionLost;

  private MqttConnectionConfig(Builder b) {
    this.connection = b.connection.build();
    this.automaticReconnect = b.automaticReconnect;
    this.manualAcknowledgement = b.manualAcknowledgement;
    this.will = b.will;
    this.onReconnect = b.onReconnect;
    this.onConnectionLost = b.onConnectionLost;
  }

  /**
   * Settings for the broker at {@code brokerUri}: {@code tcp://host:port}, {@code
   * ssl://host:port}, {@code ws://…} or {@code wss://…}.
   *
   * @throws IllegalArgumentException when the URI is not one of those
   */
  public static Builder builder(String brokerUri) {
    return new Builder(brokerUri);
  }

  public URI brokerUri() {
    return connection.brokerUri();
  }

  /** The client id: the one given, or {@code grpcmqttm} and 14 random letters and digits. */
  public String clientId() {
    return connection.clientId();
  }

  @Nullable
  public String username() {
    return connection.username();
  }

  /** A copy of the password, or null. */
  @Nullable
  public byte[] password() {
    return connection.password();
  }

  /** The socket factory given (TLS contexts become one), or null for the default. */
  @Nullable
  public SocketFactory socketFactory() {
    return connection.socketFactory();
  }

  /** The trust managers of {@link Builder#tls}, or null (the JDK's trust store). */
  @Nullable
  public TrustManagerFactory trustManagers() {
    return connection.trustManagers();
  }

  /** The key managers of {@link Builder#tls} (a client certificate), or null. */
  @Nullable
  public KeyManagerFactory keyManagers() {
    return connection.keyManagers();
  }

  /** The client library the connection uses (see {@link MqttClientLibrary}). */
  public MqttClientLibrary mqttClient() {
    return connection.mqttClient();
  }

  public Duration keepAlive() {
    return connection.keepAlive();
  }

  /** How long the broker waits after an unexpected end before it publishes the will (default 0). */
  public Duration willDelay() {
    return connection.willDelay();
  }

  public Duration connectTimeout() {
    return connection.connectTimeout();
  }

  /** How long the broker keeps the session after a disconnect; zero (default): clean sessions. */
  public Duration sessionExpiry() {
    return connection.sessionExpiry();
  }

  /** Whether a lost connection is replaced (default true). */
  public boolean automaticReconnect() {
    return automaticReconnect;
  }

  /**
   * The receive maximum when QoS 1 messages are acknowledged only by {@link
   * MqttDelivery#acknowledge()}, or 0 when they are acknowledged as soon as their handler returns.
   */
  public int manualAcknowledgement() {
    return manualAcknowledgement;
  }

  /** The last will, or null for none. */
  @Nullable
  public MqttMessage will() {
    return will;
  }

  /** What runs after every automatic reconnect (nothing unless set). */
  public Runnable onReconnect() {
    return onReconnect;
  }

  /** What runs when the connection is lost, with the cause (nothing unless set). */
  public Consumer<Throwable> onConnectionLost() {
    return onConnectionLost;
  }

  @Override
  public String toString() {
    return "MqttConnectionConfig{" + brokerUri() + ", clientId=" + clientId() + "}";
  }

  /** Settings of an {@link MqttConnectionConfig}. */
  public static final class Builder {
    private final ConnectionConfig.Builder connection;
    private boolean automaticReconnect = true;
    private int manualAcknowledgement;
    private MqttMessage will;
    private Runnable onReconnect = NOTHING;
    private Consumer<Throwable> onConnectionLost = cause -> {};

    private Builder(String brokerUri) {
      this.connection = ConnectionConfig.builder(brokerUri, "grpcmqttm");
    }

    /** The MQTT client id (1 to 128 characters, no {@code / + #}); must be unique on the broker. */
    public Builder clientId(String clientId) {
      connection.clientId(clientId);
      return this;
    }

    /** User name and password for the CONNECT; password may be null. */
    public Builder credentials(String username, @Nullable String password) {
      connection.credentials(username, password == null ? null : password.getBytes(StandardCharsets.UTF_8));
      return this;
    }

    /** User name and a binary password (MQTT passwords are bytes); password may be null. */
    public Builder credentials(String username, @Nullable byte[] password) {
      connection.credentials(username, password);
      return this;
    }

    /**
     * TLS (for {@code ssl://} and {@code wss://}) trusting {@code trust} (null: the JDK's trust
     * store) and presenting the client certificate of {@code keys} (null: none). Works with every
     * {@link MqttClientLibrary}, unlike {@link #sslContext} and {@link #socketFactory}, which only
     * Paho can use.
     */
    public Builder tls(@Nullable TrustManagerFactory trust, @Nullable KeyManagerFactory keys) {
      connection.tls(trust, keys);
      return this;
    }

    /**
     * The client library (default: {@link MqttClientLibrary#fromSystemProperty()}, which is
     * {@link MqttClientLibrary#PAHO} unless the system property says otherwise).
     */
    public Builder mqttClient(MqttClientLibrary library) {
      connection.mqttClient(java.util.Objects.requireNonNull(library, "library"));
      return this;
    }

    /**
     * How long the broker waits after the connection ended unexpectedly before it publishes the
     * will (MQTT 5 Will Delay Interval; default 0, capped by the session expiry): a client back
     * within it publishes none.
     */
    public Builder willDelay(Duration delay) {
      connection.willDelay(delay);
      return this;
    }

    /** TLS with this context (for {@code ssl://} and {@code wss://}; Paho only). */
    public Builder sslContext(SSLContext sslContext) {
      connection.sslContext(sslContext);
      return this;
    }

    /** Sockets from this factory; TCP_NODELAY is set on each (Paho only). */
    public Builder socketFactory(SocketFactory factory) {
      connection.socketFactory(factory);
      return this;
    }

    /** The MQTT keep alive (default 30 s). */
    public Builder keepAlive(Duration keepAlive) {
      connection.keepAlive(keepAlive);
      return this;
    }

    /** How long connecting may take (default 10 s). */
    public Builder connectTimeout(Duration timeout) {
      connection.connectTimeout(timeout);
      return this;
    }

    /**
     * How long the broker keeps the session (subscriptions, queued QoS 1 messages) after a
     * disconnect; default zero: a clean session on every connect. A deliberate {@link
     * MqttConnection#close()} ends the session either way.
     */
    public Builder sessionExpiry(Duration expiry) {
      connection.sessionExpiry(expiry);
      return this;
    }

    /** Whether to replace a lost connection, resubscribing (default true). */
    public Builder automaticReconnect(boolean on) {
      this.automaticReconnect = on;
      return this;
    }

    /**
     * Acknowledge QoS 1 messages only when {@link MqttDelivery#acknowledge()} is called, and let
     * the broker send at most {@code receiveMaximum} (1 to 65535) unacknowledged ones: what a
     * consumer that must not lose a message (acknowledge once stored) and must not buffer without
     * bound needs. Default: acknowledged when the handler returns, receive maximum {@value
     * #UNLIMITED_RECEIVE_MAXIMUM}.
     */
    public Builder manualAcknowledgement(int receiveMaximum) {
      if (receiveMaximum < 1 || receiveMaximum > UNLIMITED_RECEIVE_MAXIMUM) {
        throw new IllegalArgumentException("receiveMaximum must be 1..65535, was " + receiveMaximum);
      }
      this.manualAcknowledgement = receiveMaximum;
      return this;
    }

    /**
     * The last will: the broker publishes this message when the connection ends without a
     * deliberate {@link MqttConnection#close()} (a crash, a lost network, a missed keep alive).
     * Topic, payload, QoS, retain flag and properties are sent as given; null (the default): no
     * will. A retained empty will clears what the connection kept retained on its topic:
     *
     * <pre>{@code
     * .will(MqttMessage.builder("services/" + id).retain(true).build())
     * }</pre>
     */
    public Builder will(@Nullable MqttMessage will) {
      this.will = will;
      return this;
    }

    /**
     * Runs {@code action} after every automatic reconnect, once the subscriptions are made again
     * (on a thread of the connection: it must not block; {@code publish} is fine). For state the
     * lost connection took with it: e.g. a retained message its will cleared, published again.
     */
    public Builder onReconnect(Runnable action) {
      this.onReconnect = java.util.Objects.requireNonNull(action, "action");
      return this;
    }

    /**
     * Runs {@code action} with the cause when the connection is lost (on a thread of the
     * connection: it must not block), before any reconnect. Not after {@link
     * MqttConnection#close()}.
     */
    public Builder onConnectionLost(Consumer<Throwable> action) {
      this.onConnectionLost = java.util.Objects.requireNonNull(action, "action");
      return this;
    }

    public MqttConnectionConfig build() {
      return new MqttConnectionConfig(this);
    }
  }
}
