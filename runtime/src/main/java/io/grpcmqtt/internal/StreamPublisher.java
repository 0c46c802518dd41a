package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.List;
import javax.annotation.Nullable;

/**
 * Publishes the frames of one call. The transport binds it, when it creates the stream, to the
 * call's connection, QoS, Correlation Data, the Response Topic its frames carry (the channel's
 * reply topic; none from a server) and their Content Type, and to the topic the frames go to: so a
 * stream says only what it sends, and never calls back into its transport to publish. It makes
 * each frame's message itself ({@link Publishes#message}) and hands it straight to the
 * connection's {@link TransportConnection.CallbackPublisher}; a frame above the broker's Maximum
 * Packet Size goes as chunks where the contract allows them. Callbacks run as the connection
 * reports; streams wrap theirs in {@link OutsideStreamLock}.
 */
final class StreamPublisher {
  /** Asked for the broker's packet limit, which a reconnect may change. */
  private final TransportConnection connection;
  /** The connection's client library (see {@link TransportConnection#publisher()}). */
  private final TransportConnection.CallbackPublisher out;
  private final int qos;
  @Nullable private final String topic;
  @Nullable private final String replyTo;
  @Nullable private final byte[] correlation;
  @Nullable private final String contentType;
  @Nullable private final String cancelTopic;

  /**
   * @param topic where {@link #publish(byte[], List, TransportConnection.PublishCallback)} sends
   *     (null when the call does not know it yet: a client learns its server's call topic from the
   *     accept, and names it at each publish)
   * @param cancelTopic where a caller tells servers that it cancelled (null on a server)
   */
  StreamPublisher(
      TransportConnection connection,
      int qos,
      @Nullable String topic,
      @Nullable String replyTo,
      @Nullable byte[] correlation,
      @Nullable String contentType,
      @Nullable String cancelTopic) {
    this.connection = connection;
    this.out = connection.publisher();
    this.qos = qos;
    this.topic = topic;
    this.replyTo = replyTo;
    this.correlation = correlation;
    this.contentType = contentType;
    this.cancelTopic = cancelTopic;
  }

  /** The properties of a frame of this call with its bound Content Type. */
  PublishProperties properties(List<MqttUserProperty> userProperties) {
    return properties(contentType, userProperties);
  }

  /** The properties of a frame of this call with {@code type} as its Content Type. */
  PublishProperties properties(@Nullable String type, List<MqttUserProperty> userProperties) {
    return Publishes.properties(replyTo, correlation, type, userProperties);
  }

  /** Publishes a frame to the bound topic, as chunks when it does not fit one PUBLISH. */
  void publish(
      byte[] payload, List<MqttUserProperty> userProperties,
      TransportConnection.PublishCallback callback) {
    publish(topic, payload, userProperties, callback);
  }

  /** Publishes a frame of this call to {@code to}, as chunks when it does not fit one PUBLISH. */
  void publish(
      String to, byte[] payload, List<MqttUserProperty> userProperties,
      TransportConnection.PublishCallback callback) {
    publish(to, payload, properties(userProperties), true, callback);
  }

  /**
   * Publishes a frame to {@code to}; when it does not fit one PUBLISH, as chunks if {@code
   * chunked}, else it fails with {@link PacketTooLargeException} (the connection's check).
   */
  void publish(
      String to, byte[] payload, PublishProperties properties, boolean chunked,
      TransportConnection.PublishCallback callback) {
    if (chunked && !fits(to, payload, properties)) {
      ChunkingPublisher.publish(
          out, connection.maximumPacketSize(), to, payload, qos, properties, callback);
      return;
    }
    // Most frames fit: straight to the connection, without splitting a list of one.
    MqttMessage message = Publishes.message(to, payload, qos, false, properties, callback);
    if (message != null) {
      out.publish(message, callback);
    }
  }

  /** Whether this frame fits in one PUBLISH under the broker's Maximum Packet Size. */
  boolean fits(String to, byte[] payload, PublishProperties properties) {
    return ChunkSplitter.fits(to, payload, qos, properties, connection.maximumPacketSize());
  }

  /** Tells servers the call is over; best effort, servers also see the deadline. */
  void publishCancel() {
    publish(cancelTopic, new byte[0], properties(null, Publishes.control(Wire.CTL_CANCEL)), false,
        TransportConnection.IGNORE);
  }
}
