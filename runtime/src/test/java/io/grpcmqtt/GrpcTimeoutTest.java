package io.grpcmqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The public grpc-timeout codec: the Javadoc's example, and a clear error for a bad value. */
class GrpcTimeoutTest {
  @Test
  void parsesAndFormatsAsTheJavadocSays() {
    assertEquals("grpc-timeout", GrpcTimeout.NAME);
    assertEquals(250_000_000L, GrpcTimeout.parseNanos("250m"));
    assertEquals("250000u", GrpcTimeout.format(250_000_000L));
    assertEquals("0n", GrpcTimeout.format(-5));
    assertEquals(2L * 3_600_000_000_000L, GrpcTimeout.parseNanos("2H"));
  }

  @Test
  void refusesWhatIsNotDigitsAndAUnit() {
    for (String bad : new String[] {"", "5", "m", "123456789m", "5x", "-5m", "5 m"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> GrpcTimeout.parseNanos(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }
}
