package io.grpcmqtt.cli;

import com.google.common.io.BaseEncoding;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpcmqtt.mapper.table.MappedMethod;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;

/**
 * What {@code call -v} prints on stderr about the call itself: where it is published and with
 * which properties ({@code >}), what came back ({@code <}), and how long it took ({@code *}).
 */
class CallTrace {
  /** The runtime's default deadline for calls that set none and whose method sets no timeout. */
  private static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  @Nullable private final PrintWriter err;
  private long start;
  private long firstResponse;
  private int responses;

  CallTrace(@Nullable PrintWriter err) {
    this.err = err;
  }

  /** Prints nothing. */
  static CallTrace off() {
    return new CallTrace(null);
  }

  /** An MQTT client id of 23 characters, the longest every broker must accept. */
  static String randomClientId() {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder id = new StringBuilder("grpcmqttcli");
    while (id.length() < 23) {
      id.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return id.toString();
  }

  void call(MethodDescriptor<?, ?> method, String broker, String clientId, String prefix) {
    print("* " + method.getFullMethodName() + " ("
        + method.getType().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ") on " + broker
        + " as client " + clientId);
    print("> Response Topic " + prefix + "/_reply/" + clientId + ", Correlation Data: the call's id");
  }

  /**
   * @param timeout {@code --timeout}, or null
   */
  void request(String topic, String origin, MappedMethod mapping, @Nullable Duration timeout,
      Metadata metadata, boolean template) {
    print("> topic " + topic + " (" + origin + ")");
    print("> QoS " + (mapping.qos().isPresent() ? mapping.qos().getAsInt() + " (mapping option)" : "1 (default)"));
    String deadline = deadline(mapping, timeout);
    print("> deadline " + deadline + (deadline.startsWith("none") ? "" : ", sent as grpc-timeout and Message Expiry"));
    String contentType = template ? mapping.requestContentType() : null;
    print("> Content Type " + (contentType != null ? contentType : "none (protobuf binary)"));
    printMetadata("> user property", metadata);
  }

  private static String deadline(MappedMethod mapping, @Nullable Duration timeout) {
    if (timeout != null && !timeout.isZero()) {
      return text(timeout) + " (--timeout)";
    }
    if (mapping.timeout().isPresent()) {
      return text(mapping.timeout().get()) + " ((grpcmqtt.method).timeout)";
    }
    return timeout != null ? "none (--timeout 0)" : text(DEFAULT_DEADLINE) + " (default)";
  }

  private static String text(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  void started() {
    start = System.nanoTime();
  }

  void headers(Metadata headers) {
    printMetadata("< header", headers);
  }

  void response() {
    if (responses++ == 0) {
      firstResponse = System.nanoTime();
    }
  }

  void closed(Status status, @Nullable Metadata trailers) {
    printMetadata("< trailer", trailers);
    long end = System.nanoTime();
    print("* " + status.getCode() + " after " + millis(end - start) + ", " + responses
        + (responses == 1 ? " response" : " responses")
        + (responses > 0 ? " (first after " + millis(firstResponse - start) + ")" : ""));
  }

  private static String millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
  }

  private void printMetadata(String what, @Nullable Metadata metadata) {
    if (err == null || metadata == null) {
      return;
    }
    for (String key : metadata.keys()) {
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        for (byte[] value : metadata.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER))) {
          print(what + " " + key + ": " + BaseEncoding.base64().encode(value));
        }
      } else {
        for (String value : metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))) {
          print(what + " " + key + ": " + value);
        }
      }
    }
  }

  private void print(String line) {
    if (err != null) {
      err.println(line);
    }
  }
}
