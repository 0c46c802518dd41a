package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    assertFalse(MqttStrings.isClean("t/\ufffe"));
  }

  @Test
  void aPublishWithARefusedStringIsNeverBuilt() {
    // TransportConnection.publish relies on this one check (MqttMessage.Builder.build()).
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MqttMessageAccess.builder("t/ok", new byte[0], null)
            .userProperty("grpc-message", "bad\ntext").build());
    assertTrue(e.getMessage().contains("user property"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> MqttMessageAccess.builder("t/\u0001", new byte[0], null).build());
    assertThrows(IllegalArgumentException.class,
        () -> MqttMessageAccess.builder("t/ok", new byte[0], null).responseTopic("r/\ud800")
            .build());
  }

  @Test
  void publishesSanitizeUserProperties() {
    List<MqttUserProperty> props = new ArrayList<>(List.of(new MqttUserProperty("grpc-message", "x\ny")));
    PublishProperties p = Publishes.properties(null, null, null, props);
    assertEquals("x y", p.getUserProperties().get(0).value());
  }
}
