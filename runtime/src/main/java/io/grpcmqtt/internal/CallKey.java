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
    this.hash = 31 * responseTopic.hashCode() + Arrays.hashCode(correlation);
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
