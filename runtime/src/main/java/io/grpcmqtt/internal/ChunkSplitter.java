package io.grpcmqtt.internal;

import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a frame that does not fit in one PUBLISH under the broker's Maximum Packet Size into
 * chunks that do (docs/protocol.md, "Chunking"). Chunk 0 carries every property of the frame;
 * the others only what routes them to the call (Response Topic, Correlation Data, {@code
 * grpc-seq}). Each carries {@code grpc-chunk = index/count/size}. Pure: no I/O, no state.
 */
final class ChunkSplitter {
  /** One PUBLISH to send: a slice of the payload and its properties. */
  record Part(byte[] payload, PublishProperties properties) {}

  /**
   * The varint of a packet's remaining length grows from 1 to at most 4 bytes as the payload
   * grows: room kept so that a chunk measured empty still fits when full.
   */
  private static final int LENGTH_GROWTH = 3;

  private ChunkSplitter() {}

  /** True when the frame fits in one PUBLISH of at most {@code maxPacket} bytes. */
  static boolean fits(String topic, byte[] payload, int qos, PublishProperties properties,
      int maxPacket) {
    return maxPacket >= PublishSize.PROTOCOL_MAX
        || PublishSize.of(topic, properties, payload.length, qos) <= maxPacket;
  }

  /**
   * The frame itself when it fits; else its chunks, in order.
   *
   * @throws PacketTooLargeException when even a chunk with one byte of payload would not fit (the
   *     frame's properties alone are too large), or the frame has no payload to split
   */
  static List<Part> split(String topic, byte[] payload, int qos, PublishProperties properties,
      int maxPacket) throws PacketTooLargeException {
    if (fits(topic, payload, qos, properties, maxPacket)) {
      return List.of(new Part(payload, properties));
    }
    int size = payload.length;
    // Widest header this frame's chunks can have (count <= size): measure with it.
    String widest = size + "/" + size + "/" + size;
    int firstRoom = maxPacket - LENGTH_GROWTH
        - PublishSize.of(topic, first(properties, widest), 0, qos);
    int restRoom = maxPacket - LENGTH_GROWTH
        - PublishSize.of(topic, rest(properties, widest), 0, qos);
    if (size == 0 || firstRoom < 1 || restRoom < 1) {
      throw new PacketTooLargeException(
          PublishSize.of(topic, properties, size, qos), maxPacket);
    }
    int count = size <= firstRoom ? 1 : 1 + (int) ((size - firstRoom + (long) restRoom - 1) / restRoom);
    List<Part> parts = new ArrayList<>(count);
    int offset = 0;
    for (int i = 0; i < count; i++) {
      int length = Math.min(size - offset, i == 0 ? firstRoom : restRoom);
      String header = i + "/" + count + "/" + size;
      parts.add(new Part(
          Arrays.copyOfRange(payload, offset, offset + length),
          i == 0 ? first(properties, header) : rest(properties, header)));
      offset += length;
    }
    return parts;
  }

  /** Every property of the frame, plus the chunk header. */
  private static PublishProperties first(PublishProperties frame, String header) {
    PublishProperties p = new PublishProperties();
    p.setResponseTopic(frame.getResponseTopic());
    p.setCorrelationData(frame.getCorrelationData());
    p.setContentType(frame.getContentType());
    p.setMessageExpiryInterval(frame.getMessageExpiryInterval());
    List<MqttUserProperty> user = new ArrayList<>();
    if (frame.getUserProperties() != null) {
      user.addAll(frame.getUserProperties());
    }
    user.add(new MqttUserProperty(Wire.CHUNK, header));
    p.setUserProperties(user);
    return p;
  }

  /** What routes a later chunk to its call and its place in the call: RT, corr, grpc-seq. */
  private static PublishProperties rest(PublishProperties frame, String header) {
    PublishProperties p = new PublishProperties();
    p.setResponseTopic(frame.getResponseTopic());
    p.setCorrelationData(frame.getCorrelationData());
    List<MqttUserProperty> user = new ArrayList<>(2);
    if (frame.getUserProperties() != null) {
      for (MqttUserProperty up : frame.getUserProperties()) {
        if (Wire.SEQ.equals(up.name())) {
          user.add(up);
        }
      }
    }
    user.add(new MqttUserProperty(Wire.CHUNK, header));
    p.setUserProperties(user);
    return p;
  }
}
