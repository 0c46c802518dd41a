package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.grpcmqtt.mqtt.MqttMessage;
import org.junit.jupiter.api.Test;

/** The runtime shares a message's arrays; the public API still copies them. */
class MqttMessageAccessTest {
  @Test
  void theRuntimeSharesTheArraysAndThePublicApiCopies() {
    byte[] payload = {1, 2, 3};
    byte[] correlation = {9, 8};
    MqttMessage m = MqttMessageAccess.builder("a/b", payload, correlation).qos(0).build();

    assertSame(payload, MqttMessageAccess.payload(m));
    assertSame(correlation, MqttMessageAccess.correlationData(m));
    assertNotSame(payload, m.payload());
    assertArrayEquals(payload, m.payload());
    assertNotSame(correlation, m.correlationData());
    assertEquals(MqttMessage.builder("a/b").payload(payload).correlationData(correlation).qos(0)
        .build(), m);
  }

  @Test
  void aMessageBuiltThroughThePublicApiKeepsItsOwnCopy() {
    byte[] payload = {1, 2, 3};
    MqttMessage m = MqttMessage.builder("a/b").payload(payload).build();
    payload[0] = 7;
    assertEquals(1, MqttMessageAccess.payload(m)[0]);
  }
}
