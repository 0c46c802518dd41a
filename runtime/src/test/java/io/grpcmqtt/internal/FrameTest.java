package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameTest {
  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "grpc-seq, 3, null",
        "grpc-seq, -1, invalid grpc-seq '-1'",
        "grpc-seq, 1x, invalid grpc-seq '1x'",
        "grpc-credit, 9999999999999999999, invalid grpc-credit '9999999999999999999'",
        "grpc-ctl, resume, unknown grpc-ctl 'resume'",
        "grpc-ctl, credit, grpc-ctl 'credit' without grpc-credit",
        "grpc-ctl, half-close, null",
      })
  void reportsMalformedReservedProperties(String key, String value, String error) {
    assertEquals(error, frame(new MqttUserProperty(key, value)).error);
  }

  @ParameterizedTest
  @CsvSource({"x-header, 1", "grpc-status, 0"})
  void theFirstStatusSplitsHeadersFromTrailers(String firstKey, int statusIndex) {
    Frame frame =
        frame(new MqttUserProperty(firstKey, "7"), new MqttUserProperty("grpc-status", "5"),
            new MqttUserProperty("x-trailer", "t"));
    assertEquals(statusIndex, frame.statusIndex);
    assertEquals("x-header".equals(firstKey) ? "5" : "7", frame.status);
    assertNull(frame.error);
  }

  private static Frame frame(MqttUserProperty... props) {
    PublishProperties p = new PublishProperties();
    p.setUserProperties(new ArrayList<>(List.of(props)));
    return Frame.of("t", new byte[0], p);
  }
}
