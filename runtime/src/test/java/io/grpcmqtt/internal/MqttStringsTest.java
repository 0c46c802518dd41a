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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
    // Publishes.message relies on this one check (MqttMessage.Builder.build()).
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

  /** Each row: the text (\\uXXXX escapes), and whether Paho takes it as it is. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "''                          | true",
    "grpc/_reply/abc-123         | true",
    "' !~'                       | true",
    "\\u001f                   | false",
    "abc\\u0000                | false",
    "abc\\u007f                | false",
    "\\u007fabc                | false",
    "abc\\u0080def             | false",
    "abc\\u009f                | false",
    "abc\\u00a0def             | true",
    "ascii then \\u00fcml      | true",
    "\\u00fc then ascii        | true",
    "x\\ufdd0                  | false",
    "x\\ufdcf\\ufde0         | true",
    "x\\ufffe                  | false",
    "x\\uffff                  | false",
    "emoji \\ud83d\\ude00 ok | true",
    "lone high \\ud83d         | false",
    "lone high \\ud83d then    | false",
    "lone low \\ude00          | false",
    "plane 1 \\ud83f\\udffe  | false",
    "plane 1 \\ud83f\\udffd  | true",
  })
  void isCleanTable(String escaped, boolean clean) {
    String text = unescape(escaped.trim());
    assertEquals(clean, MqttStrings.isClean(text), escaped);
    assertEquals(clean, MqttStrings.sanitize(text) == text, escaped);
    assertTrue(MqttStrings.isClean(MqttStrings.sanitize(text)), escaped);
  }

  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      if (s.startsWith("\\u", i)) {
        out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        out.append(s.charAt(i));
      }
    }
    return out.toString();
  }
}
