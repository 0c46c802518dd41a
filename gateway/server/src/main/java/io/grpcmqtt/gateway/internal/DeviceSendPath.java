package io.grpcmqtt.gateway.internal;

/**
 * The device-friendly Send topic, {@code gateway/send/{topic=**}}: {@code mosquitto_pub -t
 * gateway/send/sensors/room1 -m 21.5} enqueues {@code 21.5} on {@code sensors/room1}. The
 * runtime serves it from the {@code (grpcmqtt.method)} option on {@code Send} in
 * gateway.proto; the Gateway only keeps queue topics, ingest filters and the mirror out of it.
 * A publish there is a one-way Send unless it carries a Response Topic.
 */
public final class DeviceSendPath {
  /** The topic prefix; the rest of the topic is the queue. */
  public static final String PREFIX = "gateway/send";

  private DeviceSendPath() {}
}
