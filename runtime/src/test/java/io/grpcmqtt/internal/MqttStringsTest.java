package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
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
    MqttProperties p = new MqttProperties();
    p.setUserProperties(new ArrayList<>(List.of(new UserProperty("grpc-message", "bad\ntext"))));
    assertEquals("user property 'grpc-message'", MqttStrings.findRefused("t/ok", p));
    assertEquals("topic", MqttStrings.findRefused("t/\u0001", null));
    assertNull(MqttStrings.findRefused("t/ok", new MqttProperties()));
  }

  @Test
  void publishesSanitizeUserProperties() {
    List<UserProperty> props = new ArrayList<>(List.of(new UserProperty("grpc-message", "x\ny")));
    MqttProperties p = Publishes.properties(null, null, null, props);
    assertEquals("x y", p.getUserProperties().get(0).getValue());
  }
}
