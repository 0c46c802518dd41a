package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void aMessageMadeInOneStepSharesWhatItIsHandedAndChecksItsStrings() {
    byte[] payload = {1, 2, 3};
    byte[] correlation = {9, 8};
    List<MqttUserProperty> user = List.of(new MqttUserProperty("k", "v"));
    MqttMessage m = MqttMessageAccess.message("a/b", payload, 1, false, "r/t", correlation,
        "application/json", 30L, user, 0);

    assertSame(payload, MqttMessageAccess.payload(m));
    assertSame(correlation, MqttMessageAccess.correlationData(m));
    assertSame(user, m.userProperties());
    assertEquals(MqttMessage.builder("a/b").payload(payload).correlationData(correlation)
        .responseTopic("r/t").contentType("application/json").messageExpirySeconds(30L)
        .userProperty("k", "v").build(), m);
    assertThrows(IllegalArgumentException.class, () -> MqttMessageAccess.message("a/+",
        payload, 1, false, null, null, null, null, List.of(), 0));
    assertThrows(IllegalArgumentException.class, () -> MqttMessageAccess.message("a/b",
        payload, 1, false, null, null, null, null,
        List.of(new MqttUserProperty("k", "\u0000")), 0));
    assertThrows(IllegalArgumentException.class, () -> MqttMessageAccess.message("a/b",
        payload, 3, false, null, null, null, null, List.of(), 0));
  }

  @Test
  void aPublishIsCountedOnceWhenItsPropertiesWereCountedAlready() {
    List<MqttUserProperty> user = new ArrayList<>(List.of(new MqttUserProperty("grpc-seq", "1")));
    PublishProperties p = Publishes.properties("r/t", new byte[] {1, 2}, null, user);
    String topic = "a/b";
    int size = PublishSize.of(topic, p, 10, 1);

    assertEquals(size, p.publishSize(topic, 10, 1));
    assertEquals(0, p.publishSize(topic, 11, 1));
    assertEquals(0, p.publishSize(topic, 10, 0));
    assertEquals(0, p.publishSize("a/c", 10, 1));
    MqttMessage counted = MqttMessageAccess.message(topic, new byte[10], 1, false, "r/t",
        new byte[] {1, 2}, null, null, user, size);
    MqttMessage uncounted = MqttMessageAccess.message(topic, new byte[10], 1, false, "r/t",
        new byte[] {1, 2}, null, null, user, 0);
    assertEquals(size, PublishSize.of(counted));
    assertEquals(size, PublishSize.of(uncounted));
    assertEquals(0, MqttMessageAccess.publishSize(uncounted));

    // A change after the count makes it stale: it is counted again.
    user.add(new MqttUserProperty("grpc-status", "0"));
    assertEquals(0, p.publishSize(topic, 10, 1));
    PublishSize.of(topic, p, 10, 1);
    p.setContentType("application/json");
    assertEquals(0, p.publishSize(topic, 10, 1));
  }
}
