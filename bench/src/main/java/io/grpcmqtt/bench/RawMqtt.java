package io.grpcmqtt.bench;

import java.util.List;
import java.util.function.Consumer;
import javax.annotation.Nullable;

/**
 * A raw MQTT 5 client of one library, with no grpc-mqtt code on its path: what the floors publish
 * and receive with. {@link RawClient} is Paho's, {@link RawHivemqClient} the HiveMQ client's; each
 * uses its library the way a plain application would (NODELAY sockets, no persistence, every
 * message handed to one handler on the library's delivery thread).
 */
interface RawMqtt extends AutoCloseable {
  /** The library a floor is written on; {@link #impl} names its lines in the report. */
  enum Library {
    PAHO("floor"),
    HIVEMQ("floor-hivemq");

    final String impl;

    Library(String impl) {
      this.impl = impl;
    }

    /** The library of a floor's impl name ({@code floor}, {@code floor-hivemq}), else null. */
    @Nullable
    static Library ofImpl(String impl) {
      for (Library l : values()) {
        if (l.impl.equals(impl)) {
          return l;
        }
      }
      return null;
    }

    RawMqtt connect(String uri, String role) throws Exception {
      return this == PAHO ? new RawClient(uri, role) : new RawHivemqClient(uri, role);
    }
  }

  /** A message as a floor needs it. */
  interface Received {
    byte[] payload();

    @Nullable
    String responseTopic();

    @Nullable
    byte[] correlation();

    /** The value of the first user property named {@code key}, else null. */
    @Nullable
    String userProperty(String key);
  }

  /**
   * What a grpc-mqtt frame carries beyond a bare request or reply: a Message Expiry Interval
   * ({@code expirySeconds}, none if negative) and user properties ({@code userProperties}: name,
   * value, name, value ..., in the order they go on the wire).
   */
  record Extras(long expirySeconds, List<String> userProperties) {}

  /** Its client identifier (unique per connection). */
  String id();

  /** Subscribes and waits for the SUBACK; {@code handler} gets every message from then on. */
  void subscribe(String filter, int qos, Consumer<Received> handler) throws Exception;

  /**
   * Publishes without blocking; {@code sent} runs on the PUBACK (QoS 1) or once written (QoS 0),
   * {@code failed} on an error. Null properties are left out.
   */
  default void publish(String topic, byte[] payload, int qos, @Nullable String responseTopic,
      @Nullable byte[] correlation, Runnable sent, Consumer<Throwable> failed) {
    publish(topic, payload, qos, responseTopic, correlation, null, sent, failed);
  }

  /** {@link #publish(String, byte[], int, String, byte[], Runnable, Consumer)} with extras. */
  void publish(String topic, byte[] payload, int qos, @Nullable String responseTopic,
      @Nullable byte[] correlation, @Nullable Extras extras, Runnable sent,
      Consumer<Throwable> failed);

  @Override
  void close();
}
