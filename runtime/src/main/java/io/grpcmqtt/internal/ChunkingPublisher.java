package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttMessage;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishes a frame whole when it fits the broker's Maximum Packet Size, else as the chunks of
 * {@link ChunkSplitter}, each made into a message ({@link Publishes#message}) and handed straight
 * to the connection's {@link TransportConnection.CallbackPublisher}. The callback hears once:
 * published when every chunk was acknowledged (with 0x10 if any chunk found no subscriber), failed
 * at the first chunk that failed.
 */
final class ChunkingPublisher {
  private ChunkingPublisher() {}

  /** @param maxPacket the broker's Maximum Packet Size ({@link TransportConnection#maximumPacketSize}) */
  static void publish(
      TransportConnection.CallbackPublisher out,
      int maxPacket,
      String topic,
      byte[] payload,
      int qos,
      PublishProperties properties,
      TransportConnection.PublishCallback callback) {
    List<ChunkSplitter.Part> parts;
    try {
      parts = ChunkSplitter.split(topic, payload, qos, properties, maxPacket);
    } catch (PacketTooLargeException e) {
      callback.failed(e);
      return;
    }
    TransportConnection.PublishCallback each =
        parts.size() == 1 ? callback : new AllPublished(parts.size(), callback);
    for (ChunkSplitter.Part part : parts) {
      MqttMessage message =
          Publishes.message(topic, part.payload(), qos, false, part.properties(), each);
      if (message != null) {
        out.publish(message, each);
      }
    }
  }

  /** Reports the outcome of all chunks of one frame once. */
  private static final class AllPublished implements TransportConnection.PublishCallback {
    private final AtomicInteger outstanding;
    private final TransportConnection.PublishCallback callback;
    private volatile int reason;
    private volatile boolean failed;

    AllPublished(int count, TransportConnection.PublishCallback callback) {
      this.outstanding = new AtomicInteger(count);
      this.callback = callback;
    }

    @Override
    public void published(int reasonCode) {
      if (reasonCode != 0) {
        reason = reasonCode;
      }
      if (outstanding.decrementAndGet() == 0 && !failed) {
        callback.published(reason);
      }
    }

    @Override
    public void failed(Throwable cause) {
      synchronized (this) {
        if (failed) {
          return;
        }
        failed = true;
      }
      callback.failed(cause);
    }
  }
}
