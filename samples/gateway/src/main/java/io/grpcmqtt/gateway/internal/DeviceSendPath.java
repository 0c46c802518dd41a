package io.grpcmqtt.gateway.internal;

/**
 * The device-friendly Send topic, {@code gateway/send/{topic=**}}: {@code mosquitto_pub -t
 * gateway/send/sensors/room1 -m 21.5} enqueues {@code 21.5} on {@code sensors/room1}.
 *
 * <p>TEMPORARY: a plain MQTT subscription that calls the same Send logic. Once the runtime maps
 * proto topic options (the Gateway's proto then declares this topic on its Send method), the
 * runtime serves this topic itself — delete this class and its one use in {@code Gateway}.
 * One-way: a publish here gets no reply (the message id is in the mirror's {@code
 * robustmq-msg-id} property).
 */
public final class DeviceSendPath {
  /** The topic prefix; the rest of the topic is the queue. */
  public static final String PREFIX = "gateway/send";

  private DeviceSendPath() {}

  /** Subscribes {@code PREFIX/#} on the bridge; each publish becomes a Send of its raw payload. */
  public static void install(MqttBridge bridge, Queues queues) {
    bridge.subscribe(PREFIX + "/#", (topic, payload, headers) -> {
      String queue = topic.length() > PREFIX.length() ? topic.substring(PREFIX.length() + 1) : "";
      queues.send(queue, payload, headers, null);
    });
  }
}
