package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttMessage;
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

  /** See {@link Accessor#builder}. */
  static MqttMessage.Builder builder(String topic, byte[] payload, @Nullable byte[] correlation) {
    return accessor.builder(topic, payload, correlation);
  }
}
