package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MqttStringsTest {
  @Test
  void replacesWhatPahoRefuses() {
    String clean = "fine ünïcode 😀";
    assertSame(clean, MqttStrings.sanitize(clean));
    assertEquals("line one See line two", MqttStrings.sanitize("line one\nSee line two").replace("  ", " "));
    assertEquals("a b c d", MqttStrings.sanitize("a\u0000b\u007fc\ud800d"));
    // Noncharacters Paho refuses as well, in the BMP and beyond it.
    assertEquals("a b c d", MqttStrings.sanitize("a\uffffb\ufdd0c\ud83f\udffed"));
    assertEquals("topic", MqttStrings.findRefused("t/\ufffe", null));
  }

  @Test
  void findsTheRefusedStringOfAPublish() {
    PublishProperties p = new PublishProperties();
    p.setUserProperties(new ArrayList<>(List.of(new MqttUserProperty("grpc-message", "bad\ntext"))));
    assertEquals("user property 'grpc-message'", MqttStrings.findRefused("t/ok", p));
    assertEquals("topic", MqttStrings.findRefused("t/\u0001", null));
    assertNull(MqttStrings.findRefused("t/ok", new PublishProperties()));
  }

  @Test
  void publishesSanitizeUserProperties() {
    List<MqttUserProperty> props = new ArrayList<>(List.of(new MqttUserProperty("grpc-message", "x\ny")));
    PublishProperties p = Publishes.properties(null, null, null, props);
    assertEquals("x y", p.getUserProperties().get(0).value());
  }
}
