package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.List;
import javax.annotation.Nullable;

/**
 * The runtime's way to an {@link MqttMessage}'s arrays without copying them. {@code MqttMessage}
 * copies the payload and correlation data on the way in and out of its public methods, so that an
 * application cannot change a message it built or received. The runtime's own messages need no
 * such guard: it builds them from arrays it made for that one publish and never changes afterward
 * (a serialized message, a chunk, an empty status payload), and it only reads what it receives.
 * So the runtime shares the arrays: two copies fewer per PUBLISH sent and per PUBLISH received
 * (docs/architecture.md §5). {@code MqttMessage} installs the {@link Accessor} when its class is
 * initialized; nothing outside the runtime can name this package.
 */
public final class MqttMessageAccess {
  /** What {@link MqttMessage} lets the runtime do. */
  public interface Accessor {
    /** The payload itself, not a copy: read it, never change it. */
    byte[] payload(MqttMessage m);

    /** The correlation data itself, or null: read it, never change it. */
    @Nullable
    byte[] correlationData(MqttMessage m);

    /**
     * A builder that takes {@code payload} and {@code correlation} as they are, without a copy;
     * the caller hands them over and must not change them afterward. {@code build()} checks the
     * strings as always.
     */
    MqttMessage.Builder builder(String topic, byte[] payload, @Nullable byte[] correlation);

    /**
     * The message of these fields, made without a builder or a copy: the arrays and {@code
     * userProperties} are handed over, and {@code userProperties} must be a list nobody changes
     * (the message hands it out as it is). The strings and the QoS are checked as {@code build()}
     * checks them; {@code expirySeconds} must be in range (it comes from a client library or the
     * runtime). {@code publishSize} is the message's size as one PUBLISH ({@link PublishSize})
     * when the caller counted it, else 0.
     */
    MqttMessage message(String topic, byte[] payload, int qos, boolean retain,
        @Nullable String responseTopic, @Nullable byte[] correlation,
        @Nullable String contentType, @Nullable Long expirySeconds,
        List<MqttUserProperty> userProperties, int publishSize);

    /** The size given to {@link #message}, or 0. */
    int publishSize(MqttMessage m);
  }

  // No initializer: MqttMessage's static initializer may set it while this class initializes.
  private static volatile Accessor accessor;

  static {
    try {
      // Runs MqttMessage's static initializer, which installs the accessor.
      Class.forName(MqttMessage.class.getName(), true, MqttMessage.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }

  private MqttMessageAccess() {}

  /** Called once, by {@link MqttMessage}'s static initializer. */
  public static void install(Accessor a) {
    if (accessor != null) {
      throw new IllegalStateException("MqttMessage's accessor is installed already");
    }
    accessor = a;
  }

  /** See {@link Accessor#payload}. */
  static byte[] payload(MqttMessage m) {
    return accessor.payload(m);
  }

  /** See {@link Accessor#correlationData}. */
  @Nullable
  static byte[] correlationData(MqttMessage m) {
    return accessor.correlationData(m);
  }

  /** See {@link Accessor#message}. */
  static MqttMessage message(String topic, byte[] payload, int qos, boolean retain,
      @Nullable String responseTopic, @Nullable byte[] correlation, @Nullable String contentType,
      @Nullable Long expirySeconds, List<MqttUserProperty> userProperties, int publishSize) {
    return accessor.message(topic, payload, qos, retain, responseTopic, correlation, contentType,
        expirySeconds, userProperties, publishSize);
  }

  /** See {@link Accessor#publishSize}. */
  static int publishSize(MqttMessage m) {
    return accessor.publishSize(m);
  }

  /** See {@link Accessor#builder}. */
  static MqttMessage.Builder builder(String topic, byte[] payload, @Nullable byte[] correlation) {
    return accessor.builder(topic, payload, correlation);
  }
}
