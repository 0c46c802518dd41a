package io.grpcmqtt.internal;

import com.google.common.collect.ImmutableSet;
import com.google.common.io.BaseEncoding;
import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Names and encodings of the user properties of wire contract v1 (see docs/protocol.md). */
public final class Wire {
  /** Position of a PUBLISH within its direction of a call, from 0. */
  public static final String SEQ = "grpc-seq";
  /** A control message: {@code open, accept, headers, half-close, cancel, credit}. */
  public static final String CTL = "grpc-ctl";
  /** Cumulative number of messages the sender of this property allows its peer to send. */
  public static final String CREDIT = "grpc-credit";
  /** The id of the server instance that accepted a streaming call. */
  public static final String SERVER = "grpc-server";
  /** Where the rest of a streaming call's client messages go. */
  public static final String CALL_TOPIC = "grpc-call-topic";
  public static final String STATUS = "grpc-status";
  public static final String MESSAGE = "grpc-message";
  public static final String TIMEOUT = "grpc-timeout";
  /**
   * On a server's {@code offline} status: the server stopped in order, after ending every call it
   * held (its will never carries it).
   */
  public static final String ORDERLY = "grpc-orderly";
  /**
   * Marks one chunk of a frame too large for one PUBLISH: {@code index/count/size}, the chunk's
   * position (from 0), the number of chunks and the whole payload's size in bytes.
   */
  public static final String CHUNK = "grpc-chunk";
  /** On a server's retained {@code online} status: one per service it hosts. */
  public static final String SERVICE = "grpc-service";

  public static final String CTL_OPEN = "open";
  public static final String CTL_ACCEPT = "accept";
  public static final String CTL_HEADERS = "headers";
  public static final String CTL_HALF_CLOSE = "half-close";
  public static final String CTL_CANCEL = "cancel";
  public static final String CTL_CREDIT = "credit";
  /**
   * S→C, no Correlation Data: a server checks that a Response Topic still has a subscriber (its
   * PUBACK says 0x10 when not). Clients ignore it; it belongs to no call.
   */
  public static final String CTL_PROBE = "probe";

  /** Control values this version understands; any other is a protocol error. */
  public static boolean isKnownControl(String control) {
    switch (control) {
      case CTL_OPEN:
      case CTL_ACCEPT:
      case CTL_HEADERS:
      case CTL_HALF_CLOSE:
      case CTL_CANCEL:
      case CTL_CREDIT:
        return true;
      default:
        return false;
    }
  }

  /** Never copied between gRPC metadata and user properties. */
  private static final Set<String> RESERVED =
      ImmutableSet.of(
          SEQ, CTL, CREDIT, SERVER, CALL_TOPIC, STATUS, MESSAGE, TIMEOUT, CHUNK,
          "grpc-encoding", "grpc-accept-encoding", "content-type", "te", "user-agent");

  private static final byte[][] RESERVED_BYTES =
      RESERVED.stream().map(k -> k.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

  /** 0x10, PUBACK "No matching subscribers". */
  public static final int NO_MATCHING_SUBSCRIBERS = 0x10;

  private static final BaseEncoding BASE64 = BaseEncoding.base64();

  /** {@code grpc-status} values by {@link Status.Code#ordinal()}: made once, not per reply. */
  private static final String[] CODES = codes();

  private static String[] codes() {
    Status.Code[] all = Status.Code.values();
    String[] codes = new String[all.length];
    for (Status.Code code : all) {
      codes[code.ordinal()] = Integer.toString(code.value());
    }
    return codes;
  }

  private Wire() {}

  /** Whether a status message carries {@link #ORDERLY}. */
  static boolean isOrderlyStop(List<MqttUserProperty> properties) {
    for (MqttUserProperty p : properties) {
      if (ORDERLY.equals(p.name())) {
        return true;
      }
    }
    return false;
  }

  public static boolean isReserved(String key) {
    return RESERVED.contains(key);
  }

  /**
   * Appends every non-reserved metadata entry as a user property, in the order they were added
   * (the order gRPC's own transports send them in); {@code -bin} values in base64.
   */
  public static void putMetadata(List<MqttUserProperty> out, Metadata metadata) {
    if (InternalMetadata.headerCount(metadata) == 0) {
      return;
    }
    // The raw names and values, without the Set of keys, the Key per name and the value lists
    // that keys() and getAll() make: a call's headers are mostly reserved names it skips.
    byte[][] entries = InternalMetadata.serialize(metadata);
    for (int i = 0; i + 1 < entries.length; i += 2) {
      byte[] name = entries[i];
      if (isReserved(name)) {
        continue;
      }
      String key = new String(name, StandardCharsets.US_ASCII);
      byte[] value = entries[i + 1];
      out.add(new MqttUserProperty(key, key.endsWith(Metadata.BINARY_HEADER_SUFFIX)
          ? BASE64.encode(value)
          : new String(value, StandardCharsets.US_ASCII)));
    }
  }

  /** {@link #isReserved(String)} of a metadata name's ASCII bytes, without making the String. */
  static boolean isReserved(byte[] name) {
    for (byte[] reserved : RESERVED_BYTES) {
      if (Arrays.equals(reserved, name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads user properties {@code [from, to)} into metadata, skipping reserved keys.
   *
   * @throws IllegalArgumentException naming the key when a key or value is not valid metadata
   */
  public static Metadata toMetadata(List<MqttUserProperty> props, int from, int to) {
    Metadata metadata = new Metadata();
    for (int i = from; i < to; i++) {
      MqttUserProperty p = props.get(i);
      String key = p.name().toLowerCase(Locale.ROOT);
      if (isReserved(key)) {
        continue;
      }
      addEntry(metadata, key, p.value());
    }
    return metadata;
  }

  private static void addEntry(Metadata metadata, String key, String value) {
    try {
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        metadata.put(
            Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER), decodeBase64(key, value));
      } else {
        for (int i = 0; i < value.length(); i++) {
          char c = value.charAt(i);
          if (c < 0x20 || c > 0x7e) {
            throw new IllegalArgumentException(
                "metadata value of '" + key + "' has a non-printable-ASCII character;"
                    + " use a key ending in -bin for binary or UTF-8 values");
          }
        }
        metadata.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
      }
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("metadata value")) {
        throw e;
      }
      throw new IllegalArgumentException("invalid metadata key '" + key + "': " + e.getMessage());
    }
  }

  private static byte[] decodeBase64(String key, String value) {
    String trimmed = value.trim();
    // gRPC sends base64 without padding; accept both. A length of 1 mod 4 is never valid.
    int rest = trimmed.length() % 4;
    try {
      if (rest == 1) {
        throw new IllegalArgumentException("bad length");
      }
      return BASE64.decode(rest == 0 ? trimmed : trimmed + "==".substring(0, 4 - rest));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "metadata value of binary key '" + key + "' is not base64", e);
    }
  }

  /** Encodes a timeout the way gRPC's grpc-timeout header does: at most 8 digits and a unit. */
  public static String encodeTimeout(long nanos) {
    if (nanos < 0) {
      nanos = 0;
    }
    final long cutoff = 100_000_000;
    if (nanos < cutoff) {
      return nanos + "n";
    } else if (nanos < cutoff * 1_000L) {
      return TimeUnit.NANOSECONDS.toMicros(nanos) + "u";
    } else if (nanos < cutoff * 1_000_000L) {
      return TimeUnit.NANOSECONDS.toMillis(nanos) + "m";
    } else if (nanos < cutoff * 1_000_000_000L) {
      return TimeUnit.NANOSECONDS.toSeconds(nanos) + "S";
    } else if (nanos < cutoff * 1_000_000_000L * 60L) {
      return TimeUnit.NANOSECONDS.toMinutes(nanos) + "M";
    } else {
      return TimeUnit.NANOSECONDS.toHours(nanos) + "H";
    }
  }

  /**
   * Decodes a grpc-timeout value to nanoseconds.
   *
   * @throws IllegalArgumentException when it is not 1-8 digits followed by H, M, S, m, u or n
   */
  public static long decodeTimeout(String value) {
    if (value.length() < 2 || value.length() > 9) {
      throw new IllegalArgumentException("invalid grpc-timeout '" + value + "'");
    }
    long amount = 0;
    for (int i = 0; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        throw new IllegalArgumentException("invalid grpc-timeout '" + value + "'");
      }
      amount = amount * 10 + (c - '0');
    }
    switch (value.charAt(value.length() - 1)) {
      case 'n':
        return amount;
      case 'u':
        return TimeUnit.MICROSECONDS.toNanos(amount);
      case 'm':
        return TimeUnit.MILLISECONDS.toNanos(amount);
      case 'S':
        return TimeUnit.SECONDS.toNanos(amount);
      case 'M':
        return TimeUnit.MINUTES.toNanos(amount);
      case 'H':
        return TimeUnit.HOURS.toNanos(amount);
      default:
        throw new IllegalArgumentException("invalid grpc-timeout '" + value + "'");
    }
  }

  /**
   * The status of a final message; an unparsable code becomes UNKNOWN with an explanation. The
   * message is percent-decoded ({@link #decodeMessage}).
   */
  public static Status decodeStatus(String code, String message) {
    String text = message == null ? null : decodeMessage(message);
    Status status;
    try {
      status = Status.fromCodeValue(Integer.parseInt(code.trim()));
    } catch (NumberFormatException e) {
      return Status.UNKNOWN.withDescription("invalid grpc-status '" + code + "': " + text);
    }
    return text == null ? status : status.withDescription(text);
  }

  /** Appends {@code grpc-status} and, when the status has a description, {@code grpc-message}. */
  public static void putStatus(List<MqttUserProperty> out, Status status) {
    out.add(new MqttUserProperty(STATUS, CODES[status.getCode().ordinal()]));
    if (status.getDescription() != null) {
      out.add(new MqttUserProperty(MESSAGE, encodeMessage(status.getDescription())));
    }
  }

  /**
   * Percent-encodes a status description as the gRPC HTTP/2 spec encodes {@code grpc-message}:
   * the UTF-8 bytes outside 0x20-0x7E, and '%' itself, become {@code %XX} (upper-case hex), so
   * every character arrives as sent and plain ASCII text stays readable.
   */
  public static String encodeMessage(String text) {
    int i = 0;
    while (i < text.length() && isUnreserved(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (isUnreserved((char) c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }

  /**
   * Reverses {@link #encodeMessage}. Lenient, as gRPC's own decoder: a '%' not followed by two hex
   * digits stays as it is, and text that was never encoded (raw UTF-8 from an older peer) passes
   * unchanged.
   */
  public static String decodeMessage(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    byte[] in = value.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[in.length];
    int n = 0;
    for (int i = 0; i < in.length; i++) {
      int hi;
      int lo;
      if (in[i] == '%' && i + 2 < in.length
          && (hi = Character.digit(in[i + 1], 16)) >= 0
          && (lo = Character.digit(in[i + 2], 16)) >= 0) {
        out[n++] = (byte) ((hi << 4) | lo);
        i += 2;
      } else {
        out[n++] = in[i];
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static boolean isUnreserved(char c) {
    return c >= 0x20 && c <= 0x7e && c != '%';
  }
}
