package io.grpcmqtt.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.grpcmqtt.mqtt.MqttClientLibrary;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executor;
import javax.annotation.Nullable;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Immutable settings of one MQTT connection, shared by channels and servers. */
public final class ConnectionConfig {
  /**
   * MQTT 5 obliges every broker to accept ids of 1-23 characters from [0-9a-zA-Z] (3.1.3-5), so
   * generated ids are exactly that: a 9-letter prefix and 14 random characters.
   */
  private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final URI brokerUri;
  private final String clientId;
  @Nullable private final String username;
  @Nullable private final byte[] password;
  @Nullable private final SocketFactory socketFactory;
  @Nullable private final TrustManagerFactory trustManagers;
  @Nullable private final KeyManagerFactory keyManagers;
  private final MqttClientLibrary mqttClient;
  private final Duration keepAlive;
  private final Duration connectTimeout;
  private final String topicPrefix;
  private final int qos;
  private final int maxMessageSize;
  private final int flowControlWindow;
  private final Duration sessionExpiry;
  private final Duration willDelay;
  private final boolean templateTopics;
  @Nullable private final Executor callExecutor;
  private final Duration reassemblyTimeout;

  private ConnectionConfig(Builder b) {
    this.brokerUri = b.brokerUri;
    this.clientId = b.clientId != null ? b.clientId : randomClientId(b.clientIdPrefix);
    this.username = b.username;
    this.password = b.password;
    this.socketFactory = b.socketFactory;
    this.trustManagers = b.trustManagers;
    this.keyManagers = b.keyManagers;
    this.mqttClient = b.mqttClient != null ? b.mqttClient : MqttClientLibrary.fromSystemProperty();
    this.keepAlive = b.keepAlive;
    this.connectTimeout = b.connectTimeout;
    this.topicPrefix = b.topicPrefix;
    this.qos = b.qos;
    this.maxMessageSize = b.maxMessageSize;
    this.flowControlWindow = b.flowControlWindow;
    this.sessionExpiry = b.sessionExpiry;
    this.willDelay = b.willDelay;
    this.templateTopics = b.templateTopics;
    this.callExecutor = b.callExecutor;
    this.reassemblyTimeout = b.reassemblyTimeout;
  }

  public static Builder builder(String brokerUri, String clientIdPrefix) {
    return new Builder(brokerUri, clientIdPrefix);
  }

  public URI brokerUri() {
    return brokerUri;
  }

  /** The broker URI as Paho wants it (tcp://, ssl://, ws://, wss://). */
  public String brokerUriString() {
    return brokerUri.toString();
  }

  public boolean isTls() {
    String scheme = brokerUri.getScheme();
    return scheme.equals("ssl") || scheme.equals("wss");
  }

  /** host:port of the broker, used as the gRPC authority. */
  public String authority() {
    int port = brokerUri.getPort();
    return brokerUri.getHost() + (port > 0 ? ":" + port : "");
  }

  public String clientId() {
    return clientId;
  }

  @Nullable
  public String username() {
    return username;
  }

  @Nullable
  public byte[] password() {
    return password == null ? null : password.clone();
  }

  @Nullable
  public SocketFactory socketFactory() {
    return socketFactory;
  }

  /** The trust managers of {@code tls(...)}, or null (then the JDK's default trust store). */
  @Nullable
  public TrustManagerFactory trustManagers() {
    return trustManagers;
  }

  /** The key managers of {@code tls(...)} (a client certificate), or null for none. */
  @Nullable
  public KeyManagerFactory keyManagers() {
    return keyManagers;
  }

  /**
   * The TLS context for a client library that takes one (Paho) when no socket factory was given:
   * from the trust and key managers of {@code tls(...)}, or the JDK's default.
   */
  public SSLContext tlsContext() {
    try {
      if (trustManagers == null && keyManagers == null) {
        return SSLContext.getDefault();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers == null ? null : keyManagers.getKeyManagers(),
          trustManagers == null ? null : trustManagers.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** The MQTT client library the connection uses. */
  public MqttClientLibrary mqttClient() {
    return mqttClient;
  }

  public Duration keepAlive() {
    return keepAlive;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public String topicPrefix() {
    return topicPrefix;
  }

  public int qos() {
    return qos;
  }

  public int maxMessageSize() {
    return maxMessageSize;
  }

  public int flowControlWindow() {
    return flowControlWindow;
  }

  /**
   * The executor gRPC runs this connection's calls on, whose hand-offs are deferred while a
   * message is handled ({@link DeferringExecutor}); {@code null} for none.
   */
  @Nullable
  public Executor callExecutor() {
    return callExecutor;
  }

  /** How long the broker keeps the session after a disconnect; zero means clean sessions. */
  public Duration sessionExpiry() {
    return sessionExpiry;
  }

  /** Whether a channel publishes requests of templated methods to their template topics. */
  public boolean templateTopics() {
    return templateTopics;
  }

  /** How long the broker waits before publishing the will (capped by the session expiry). */
  public Duration willDelay() {
    return willDelay;
  }

  /** How long a chunked message may wait for its next chunk before its call fails. */
  public Duration reassemblyTimeout() {
    return reassemblyTimeout;
  }

  static String randomClientId(String prefix) {
    SecureRandom random = new SecureRandom();
    StringBuilder id = new StringBuilder(prefix);
    for (int i = prefix.length(); i < 23; i++) {
      id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
    }
    return id.toString();
  }

  /** Checks a string that becomes one MQTT topic level. */
  static void checkTopicLevel(String what, String value) {
    checkNotNull(value, what);
    checkArgument(!value.isEmpty(), "%s must not be empty", what);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      checkArgument(
          c != '/' && c != '+' && c != '#' && c != 0,
          "%s '%s' must not contain '/', '+', '#' or NUL: it is used as an MQTT topic level",
          what,
          value);
    }
  }

  /** Mutable builder; {@link #build()} checks nothing further, each setter checks its input. */
  public static final class Builder {
    private final URI brokerUri;
    private final String clientIdPrefix;
    private String clientId;
    private String username;
    private byte[] password;
    private SocketFactory socketFactory;
    private TrustManagerFactory trustManagers;
    private KeyManagerFactory keyManagers;
    private MqttClientLibrary mqttClient;
    private Duration keepAlive = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private String topicPrefix = "grpc";
    private int qos = 1;
    private int maxMessageSize = 4 * 1024 * 1024;
    private int flowControlWindow = 512;
    private Duration sessionExpiry = Duration.ZERO;
    private Duration willDelay = Duration.ZERO;
    private boolean templateTopics;
    private Executor callExecutor;
    private Duration reassemblyTimeout = Duration.ofSeconds(30);

    private Builder(String brokerUri, String clientIdPrefix) {
      this.brokerUri = parseBrokerUri(brokerUri);
      this.clientIdPrefix = clientIdPrefix;
    }

    private static URI parseBrokerUri(String uri) {
      checkNotNull(uri, "brokerUri");
      URI parsed;
      try {
        parsed = URI.create(uri);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid broker URI '" + uri + "': " + e.getMessage());
      }
      String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
      checkArgument(
          scheme.equals("tcp") || scheme.equals("ssl") || scheme.equals("ws") || scheme.equals("wss"),
          "invalid broker URI '%s': the scheme must be tcp, ssl, ws or wss",
          uri);
      checkArgument(parsed.getHost() != null, "invalid broker URI '%s': no host", uri);
      return parsed;
    }

    public Builder clientId(String clientId) {
      checkTopicLevel("clientId", clientId);
      checkArgument(clientId.length() <= 128, "clientId longer than 128 characters");
      this.clientId = clientId;
      return this;
    }

    /** Whether a client id was set (else a random one is generated). */
    public boolean hasClientId() {
      return clientId != null;
    }

    public Builder credentials(String username, @Nullable byte[] password) {
      this.username = checkNotNull(username, "username");
      this.password = password == null ? null : password.clone();
      return this;
    }

    public Builder socketFactory(SocketFactory socketFactory) {
      this.socketFactory = checkNotNull(socketFactory, "socketFactory");
      return this;
    }

    public Builder sslContext(SSLContext sslContext) {
      return socketFactory(checkNotNull(sslContext, "sslContext").getSocketFactory());
    }

    /** TLS trusting {@code trust} (null: the JDK's trust store), presenting {@code keys} if any. */
    public Builder tls(@Nullable TrustManagerFactory trust, @Nullable KeyManagerFactory keys) {
      this.trustManagers = trust;
      this.keyManagers = keys;
      return this;
    }

    /** The MQTT client library; null (the default): {@link MqttClientLibrary#fromSystemProperty()}. */
    public Builder mqttClient(@Nullable MqttClientLibrary library) {
      this.mqttClient = library;
      return this;
    }

    public Builder keepAlive(Duration keepAlive) {
      checkArgument(!keepAlive.isNegative(), "keepAlive must not be negative");
      checkArgument(keepAlive.toSeconds() <= 65_535, "keepAlive must be at most 65535 s (MQTT)");
      this.keepAlive = keepAlive;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      checkArgument(!timeout.isNegative() && !timeout.isZero(), "connectTimeout must be positive");
      this.connectTimeout = timeout;
      return this;
    }

    public Builder topicPrefix(String prefix) {
      checkNotNull(prefix, "topicPrefix");
      checkArgument(!prefix.isEmpty(), "topicPrefix must not be empty");
      checkArgument(!prefix.startsWith("$"), "topicPrefix '%s' must not start with '$'", prefix);
      checkArgument(
          !prefix.startsWith("/") && !prefix.endsWith("/") && !prefix.contains("//"),
          "topicPrefix '%s' must not have empty topic levels",
          prefix);
      checkArgument(
          prefix.indexOf('+') < 0 && prefix.indexOf('#') < 0 && prefix.indexOf(0) < 0,
          "topicPrefix '%s' must not contain MQTT wildcards or NUL",
          prefix);
      this.topicPrefix = prefix;
      return this;
    }

    public Builder qos(int qos) {
      checkArgument(qos == 0 || qos == 1, "qos must be 0 or 1, got %s", qos);
      this.qos = qos;
      return this;
    }

    public Builder maxMessageSize(int bytes) {
      checkArgument(bytes > 0, "maxMessageSize must be positive");
      this.maxMessageSize = bytes;
      return this;
    }

    public Builder callExecutor(@Nullable Executor executor) {
      this.callExecutor = executor;
      return this;
    }

    public Builder flowControlWindow(int messages) {
      checkArgument(messages >= 1 && messages <= 65_535, "flowControlWindow must be 1..65535");
      this.flowControlWindow = messages;
      return this;
    }

    public Builder sessionExpiry(Duration expiry) {
      checkArgument(!expiry.isNegative(), "sessionExpiry must not be negative");
      checkArgument(expiry.toSeconds() <= 0xFFFFFFFFL, "sessionExpiry too long for MQTT");
      this.sessionExpiry = expiry;
      return this;
    }

    public Builder willDelay(Duration delay) {
      checkArgument(!delay.isNegative(), "willDelay must not be negative");
      checkArgument(delay.toSeconds() <= 0xFFFFFFFFL, "willDelay too long for MQTT");
      this.willDelay = delay;
      return this;
    }

    public Builder templateTopics(boolean on) {
      this.templateTopics = on;
      return this;
    }

    public Builder reassemblyTimeout(Duration timeout) {
      checkArgument(!timeout.isNegative() && !timeout.isZero(), "reassemblyTimeout must be positive");
      this.reassemblyTimeout = timeout;
      return this;
    }

    public ConnectionConfig build() {
      return new ConnectionConfig(this);
    }
  }
}
