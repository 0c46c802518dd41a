package io.grpcmqtt.internal;

import java.io.IOException;

/** A PUBLISH the broker's Maximum Packet Size (from CONNACK) does not allow; it was not sent. */
final class PacketTooLargeException extends IOException {
  private static final long serialVersionUID = 1L;

  final int size;
  final int maxPacketSize;

  PacketTooLargeException(int size, int maxPacketSize) {
    super("a PUBLISH of " + size + " bytes is larger than the broker's maximum packet size of "
        + maxPacketSize + " bytes");
    this.size = size;
    this.maxPacketSize = maxPacketSize;
  }
}
