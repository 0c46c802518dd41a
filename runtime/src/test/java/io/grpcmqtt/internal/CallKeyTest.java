package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallKeyTest {
  private static final String TOPIC = "grpc/_reply/grpc-mqtt-c-abcdefabcdef";

  private static byte[] correlation(long callId) {
    return ByteBuffer.allocate(8).putLong(callId).array();
  }

  @Test
  void consecutiveCallIdsOfOneChannelHashApart() {
    // What a channel sends: 8-byte big-endian call ids counting up from a random start.
    long start = 0x1234_5678_9abc_def0L;
    Set<Integer> hashes = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      hashes.add(new CallKey(TOPIC, correlation(start + i)).hashCode());
    }
    assertEquals(10_000, hashes.size());
  }

  @Test
  void equalKeysAreEqualAndHashAlike() {
    CallKey a = new CallKey(TOPIC, correlation(42));
    CallKey b = new CallKey(new String(TOPIC.toCharArray()), correlation(42));
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, new CallKey(TOPIC, correlation(43)));
    assertNotEquals(a, new CallKey(TOPIC + "x", correlation(42)));
  }

  /** The client's Correlation Data is its call id as 8 big-endian bytes, as ByteBuffer writes it. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(longs = {0, 1, -1, 255, 256, 0x7f, 0x80,
      0x1234_5678_9abc_def0L, Long.MIN_VALUE, Long.MAX_VALUE, -0x100L})
  void callIdsBecomeCorrelationDataBigEndian(long callId) {
    org.junit.jupiter.api.Assertions.assertArrayEquals(
        correlation(callId), MqttClientTransport.correlation(callId));
    assertEquals(callId, ByteBuffer.wrap(MqttClientTransport.correlation(callId)).getLong());
  }
}
