package io.grpcmqtt.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WireTest {
  @ParameterizedTest
  @CsvSource({
    "0, 0n",
    "99999999, 99999999n",
    "100000000, 100000u",
    "1500000000, 1500000u",
    "30000000000, 30000000u",
    "100000000000, 100000m",
    "100000000000000, 100000S",
  })
  void encodesTimeoutsLikeGrpc(long nanos, String expected) {
    assertEquals(expected, Wire.encodeTimeout(nanos));
  }

  @ParameterizedTest
  @CsvSource({"1n, 1", "5u, 5000", "300m, 300000000", "2S, 2000000000", "1M, 60000000000",
      "1H, 3600000000000", "99999999m, 99999999000000"})
  void decodesTimeouts(String value, long nanos) {
    assertEquals(nanos, Wire.decodeTimeout(value));
  }

  @ParameterizedTest
  @CsvSource({"''", "m", "5", "5x", "-5m", "123456789m", "5.5S", "1 m"})
  void rejectsMalformedTimeouts(String value) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Wire.decodeTimeout(value));
    assertEquals("invalid grpc-timeout '" + value + "'", e.getMessage());
  }

  @Test
  void roundTripsTimeoutsWithinTheirPrecision() {
    for (long nanos = 1; nanos < TimeUnit.HOURS.toNanos(200); nanos = nanos * 3 + 7) {
      long back = Wire.decodeTimeout(Wire.encodeTimeout(nanos));
      // Encoding truncates to at most 8 significant digits, never rounding up.
      org.junit.jupiter.api.Assertions.assertTrue(back <= nanos && back > nanos * 0.999, nanos + " -> " + back);
    }
  }

  @Test
  void metadataRoundTripsThroughUserPropertiesSkippingReservedKeys() {
    Metadata md = new Metadata();
    Metadata.Key<String> ascii = Metadata.Key.of("x-a", Metadata.ASCII_STRING_MARSHALLER);
    Metadata.Key<byte[]> binary = Metadata.Key.of("x-b-bin", Metadata.BINARY_BYTE_MARSHALLER);
    md.put(ascii, "one");
    md.put(ascii, "two");
    md.put(binary, new byte[] {0, (byte) 0xff, 1});
    md.put(Metadata.Key.of("grpc-accept-encoding", Metadata.ASCII_STRING_MARSHALLER), "gzip");
    md.put(Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER), "ua");

    List<MqttUserProperty> props = new ArrayList<>();
    Wire.putMetadata(props, md);
    assertEquals(3, props.size());
    assertEquals("AP8B", props.get(2).value());

    Metadata back = Wire.toMetadata(props, 0, props.size());
    assertEquals(List.of("one", "two"), iterable(back.getAll(ascii)));
    assertArrayEquals(new byte[] {0, (byte) 0xff, 1}, back.get(binary));
  }

  /** Each row: metadata entries added in order (name=value; -bin values as hex), what goes out. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "''                                               | ''",
    "grpc-accept-encoding=gzip                        | ''",
    "grpc-accept-encoding=gzip;user-agent=ua;te=x     | ''",
    "x-a=one                                          | x-a=one",
    "x-a=one;grpc-timeout=1S;x-a=two                  | x-a=one;x-a=two",
    "x-b=1;x-a=2;x-b=3                                | x-b=1;x-a=2;x-b=3",
    "x-id-bin=00ff01;content-type=a;x-z=z             | x-id-bin=AP8B;x-z=z",
    "grpc-status=0;grpc-message=m;grpc-seq=1;x-k=v    | x-k=v",
    "grpc-ctl=a;grpc-credit=1;grpc-server=s;grpc-call-topic=t;grpc-chunk=c;grpc-encoding=e | ''",
  })
  void putsMetadataInOrderWithoutReservedNames(String entries, String expected) {
    Metadata md = new Metadata();
    for (String entry : entries.isEmpty() ? new String[0] : entries.split(";")) {
      String name = entry.substring(0, entry.indexOf('='));
      String value = entry.substring(entry.indexOf('=') + 1);
      if (name.endsWith("-bin")) {
        md.put(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER),
            com.google.common.io.BaseEncoding.base16().lowerCase().decode(value));
      } else {
        md.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
      }
    }
    List<MqttUserProperty> props = new ArrayList<>();
    Wire.putMetadata(props, md);
    List<String> out = new ArrayList<>();
    for (MqttUserProperty p : props) {
      out.add(p.name() + "=" + p.value());
    }
    assertEquals(expected.isEmpty() ? List.of() : List.of(expected.split(";")), out);
  }

  @Test
  void reservedNamesAsBytesAreTheReservedNames() {
    for (String name : List.of("grpc-seq", "grpc-ctl", "grpc-credit", "grpc-server",
        "grpc-call-topic", "grpc-status", "grpc-message", "grpc-timeout", "grpc-chunk",
        "grpc-encoding", "grpc-accept-encoding", "content-type", "te", "user-agent", "x-a",
        "grpc-orderly", "grpc-service", "t", "tee", "grpc-seq-bin")) {
      assertEquals(Wire.isReserved(name),
          Wire.isReserved(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), name);
    }
  }

  @Test
  void acceptsUnpaddedBase64AndUpperCaseKeys() {
    List<MqttUserProperty> props = List.of(new MqttUserProperty("X-Id-Bin", "AP8"), new MqttUserProperty("X-Name", "v"));
    Metadata md = Wire.toMetadata(props, 0, props.size());
    assertArrayEquals(new byte[] {0, (byte) 0xff},
        md.get(Metadata.Key.of("x-id-bin", Metadata.BINARY_BYTE_MARSHALLER)));
    assertEquals("v", md.get(Metadata.Key.of("x-name", Metadata.ASCII_STRING_MARSHALLER)));
  }

  @Test
  void rejectsInvalidMetadataWithTheKeyNamed() {
    IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
        () -> Wire.toMetadata(List.of(new MqttUserProperty("bad key", "v")), 0, 1));
    assertEquals("invalid metadata key 'bad key': Invalid character ' ' in key name 'bad key'",
        key.getMessage());
    IllegalArgumentException value = assertThrows(IllegalArgumentException.class,
        () -> Wire.toMetadata(List.of(new MqttUserProperty("x-name", "ünï")), 0, 1));
    assertEquals("metadata value of 'x-name' has a non-printable-ASCII character;"
        + " use a key ending in -bin for binary or UTF-8 values", value.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"AQIDB", "A", "!!!!", "AQ=I"})
  void rejectsValuesThatAreNotBase64(String value) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Wire.toMetadata(List.of(new MqttUserProperty("x-a-bin", value)), 0, 1));
    assertEquals("metadata value of binary key 'x-a-bin' is not base64", e.getMessage());
  }

  @Test
  void decodesStatus() {
    assertEquals(Status.Code.NOT_FOUND, Wire.decodeStatus("5", "x").getCode());
    assertEquals("x", Wire.decodeStatus("5", "x").getDescription());
    assertEquals(Status.Code.UNKNOWN, Wire.decodeStatus("five", "x").getCode());
    assertEquals(Status.Code.UNKNOWN, Wire.decodeStatus("99", null).getCode());
  }

  @Test
  void percentEncodesStatusMessagesAsGrpcDoes() {
    String special = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \ud83d\ude08\t\n";
    String encoded = Wire.encodeMessage(special);
    assertEquals("%09%0Atest with whitespace%0D%0Aand Unicode BMP %E2%98%BA and non-BMP"
        + " %F0%9F%98%88%09%0A", encoded);
    assertEquals(special, Wire.decodeMessage(encoded));
    // Plain ASCII stays readable and is the same object.
    String plain = "no such thing: id=42 (see docs)";
    assertSame(plain, Wire.encodeMessage(plain));
    assertEquals("100%25 sure", Wire.encodeMessage("100% sure"));
    assertEquals("100% sure", Wire.decodeMessage("100%25 sure"));
    // What an older peer sent unencoded, and stray '%', pass unchanged.
    assertEquals("caf\u00e9 50% %zz %4", Wire.decodeMessage("caf\u00e9 50% %zz %4"));
    assertEquals(special, Wire.decodeStatus("2", encoded).getDescription());
    List<MqttUserProperty> props = new ArrayList<>();
    Wire.putStatus(props, Status.UNKNOWN.withDescription("a\tb"));
    assertEquals("2", props.get(0).value());
    assertEquals("a%09b", props.get(1).value());
  }

  private static <T> List<T> iterable(Iterable<T> values) {
    List<T> list = new ArrayList<>();
    values.forEach(list::add);
    return list;
  }
}
