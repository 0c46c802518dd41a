package io.grpcmqtt.gateway.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * Immutable settings of a {@link GatewayClient}. Every one has a default, so {@link
 * GatewayClient#connect(String)} needs none:
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>what</th></tr>
 *   <tr><td>{@link Builder#receiveWait}</td><td>5 s</td><td>how long {@code receive} waits for a
 *       first message when the queue is empty (at most 20 s)</td></tr>
 *   <tr><td>{@link Builder#visibilityTimeout}</td><td>30 s</td><td>how long a received message
 *       stays leased before it is delivered again if not acknowledged</td></tr>
 *   <tr><td>{@link Builder#streamLimit}</td><td>10</td><td>unacknowledged messages a {@code
 *       stream} holds at most</td></tr>
 *   <tr><td>{@link Builder#callTimeout}</td><td>10 s</td><td>deadline of {@code send} and {@code
 *       ack}; {@code receive}'s is its wait plus this</td></tr>
 * </table>
 *
 * <pre>{@code
 * GatewayClientOptions options = GatewayClientOptions.builder()
 *     .receiveWait(Duration.ofSeconds(20))
 *     .visibilityTimeout(Duration.ofMinutes(5))
 *     .credentials("app", System.getenv("MQTT_PASSWORD"))
 *     .build();
 * GatewayClient client = GatewayClient.connect("ssl://broker.example:8883", options);
 * }</pre>
 */
public final class GatewayClientOptions {
  /** {@code receive}'s wait for a first message when none is given. */
  public static final Duration DEFAULT_RECEIVE_WAIT = Duration.ofSeconds(5);
  /** The Gateway's own default lease. */
  public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_STREAM_LIMIT = 10;
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

  private final Duration receiveWait;
  private final Duration visibilityTimeout;
  private final int streamLimit;
  private final Duration callTimeout;
  @Nullable private final String username;
  @Nullable private final String password;
  @Nullable private final Path trustedCertificates;
  private final String rpcTopicPrefix;

  private GatewayClientOptions(Builder b) {
    this.receiveWait = b.receiveWait;
    this.visibilityTimeout = b.visibilityTimeout;
    this.streamLimit = b.streamLimit;
    this.callTimeout = b.callTimeout;
    this.username = b.username;
    this.password = b.password;
    this.trustedCertificates = b.trustedCertificates;
    this.rpcTopicPrefix = b.rpcTopicPrefix;
  }

  /** All defaults. */
  public static GatewayClientOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Duration receiveWait() {
    return receiveWait;
  }

  public Duration visibilityTimeout() {
    return visibilityTimeout;
  }

  public int streamLimit() {
    return streamLimit;
  }

  public Duration callTimeout() {
    return callTimeout;
  }

  @Nullable
  public String username() {
    return username;
  }

  @Nullable
  public String password() {
    return password;
  }

  @Nullable
  public Path trustedCertificates() {
    return trustedCertificates;
  }

  public String rpcTopicPrefix() {
    return rpcTopicPrefix;
  }

  /** Settings of {@link GatewayClientOptions}; each setter checks its value. */
  public static final class Builder {
    private Duration receiveWait = DEFAULT_RECEIVE_WAIT;
    private Duration visibilityTimeout = DEFAULT_VISIBILITY_TIMEOUT;
    private int streamLimit = DEFAULT_STREAM_LIMIT;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
    private String username;
    private String password;
    private Path trustedCertificates;
    private String rpcTopicPrefix = "grpc";

    private Builder() {}

    /** How long {@code receive} waits for a first message (0 to 20 s; default 5 s). */
    public Builder receiveWait(Duration wait) {
      checkRange("receiveWait", wait, Duration.ZERO, Duration.ofSeconds(20));
      this.receiveWait = wait;
      return this;
    }

    /** How long a received message stays leased (1 ms to 12 h; default 30 s). */
    public Builder visibilityTimeout(Duration timeout) {
      checkRange("visibilityTimeout", timeout, Duration.ofMillis(1), Duration.ofHours(12));
      this.visibilityTimeout = timeout;
      return this;
    }

    /** Unacknowledged messages a stream holds at most (1 to 1000; default 10). */
    public Builder streamLimit(int limit) {
      if (limit < 1 || limit > 1000) {
        throw new IllegalArgumentException("streamLimit must be in 1..1000, was " + limit);
      }
      this.streamLimit = limit;
      return this;
    }

    /** Deadline of send and ack, and receive's beyond its wait (default 10 s). */
    public Builder callTimeout(Duration timeout) {
      checkRange("callTimeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
      this.callTimeout = timeout;
      return this;
    }

    /** User name and password for the MQTT broker (MQTT URIs only). */
    public Builder credentials(String username, @Nullable String password) {
      this.username = Objects.requireNonNull(username, "username");
      this.password = password;
      return this;
    }

    /**
     * Trust these certificates (a PEM file) instead of the JVM's default trust store, for {@code
     * ssl://}, {@code wss://} and {@code grpcs://}.
     */
    public Builder trustedCertificates(Path pemFile) {
      this.trustedCertificates = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    /** The Gateway's {@code --rpc-prefix} (MQTT URIs only; default {@code grpc}). */
    public Builder rpcTopicPrefix(String prefix) {
      this.rpcTopicPrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    public GatewayClientOptions build() {
      return new GatewayClientOptions(this);
    }

    private static void checkRange(String what, Duration d, Duration min, Duration max) {
      Objects.requireNonNull(d, what);
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(what + " must be in " + min + ".." + max + ", was " + d);
      }
    }
  }
}
