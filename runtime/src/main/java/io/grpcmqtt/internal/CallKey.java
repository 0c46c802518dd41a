package io.grpcmqtt.internal;

import java.util.Arrays;

/** Identifies a call on a server: the caller's response topic and its correlation data. */
final class CallKey {
  final String responseTopic;
  private final byte[] correlation;
  private final int hash;

  CallKey(String responseTopic, byte[] correlation) {
    this.responseTopic = responseTopic;
    this.correlation = correlation;
    this.hash = 31 * responseTopic.hashCode() + fnv1a(correlation);
  }

  /**
   * FNV-1a, not {@link Arrays#hashCode(byte[])}: channels number their calls with consecutive
   * longs, and Arrays.hashCode maps 10,000 consecutive 8-byte values to about 1,400 hashes, so the
   * server's maps of active and recent calls searched chains of ~7 keys on every request.
   */
  private static int fnv1a(byte[] bytes) {
    int h = 0x811c9dc5;
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x01000193;
    }
    return h;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CallKey)) {
      return false;
    }
    CallKey other = (CallKey) o;
    return hash == other.hash
        && responseTopic.equals(other.responseTopic)
        && Arrays.equals(correlation, other.correlation);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder hex = new StringBuilder();
    for (byte b : correlation) {
      hex.append(String.format("%02x", b));
    }
    return responseTopic + "#" + hex;
  }
}
