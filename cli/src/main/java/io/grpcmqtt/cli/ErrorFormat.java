package io.grpcmqtt.cli;

import com.google.common.io.BaseEncoding;
import io.grpc.Metadata;
import io.grpc.Status;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a command reports what went wrong on stderr: one line of text, or, for scripts, one line of
 * JSON ({@code --format json}):
 *
 * <pre>
 * {"kind":"status","code":5,"status":"NOT_FOUND","message":"...","trailers":{"k":"v"}}
 * {"kind":"usage","message":"unknown method ..."}      (exit 2)
 * {"kind":"failure","message":"..."}                   (exit 1)
 * </pre>
 */
enum ErrorFormat {
  text,
  json;

  /** A call that ended with a non-OK status (or one the tool gave a request it refused to send). */
  void status(PrintWriter err, String command, Status status, Metadata trailers) {
    if (this == text) {
      err.println("grpc-mqtt " + command + ": " + status.getCode()
          + (status.getDescription() == null ? "" : ": " + status.getDescription()));
      return;
    }
    StringBuilder o = new StringBuilder("{\"kind\":\"status\",\"code\":")
        .append(status.getCode().value())
        .append(",\"status\":").append(quote(status.getCode().name()))
        .append(",\"message\":").append(quote(status.getDescription() == null ? "" : status.getDescription()));
    if (trailers != null && !trailers.keys().isEmpty()) {
      Map<String, String> values = new LinkedHashMap<>();
      for (String key : trailers.keys()) {
        values.put(key, key.endsWith(Metadata.BINARY_HEADER_SUFFIX)
            ? BaseEncoding.base64().encode(trailers.get(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER)))
            : trailers.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER)));
      }
      o.append(",\"trailers\":{");
      values.forEach((k, v) -> o.append(quote(k)).append(':').append(quote(v)).append(','));
      o.setCharAt(o.length() - 1, '}');
    }
    err.println(o.append('}'));
  }

  /** An error of the user's input (exit 2); in text, with a pointer to the command's help. */
  void usage(PrintWriter err, String command, String qualifiedCommand, String message) {
    if (this == text) {
      err.println("grpc-mqtt " + command + ": " + message);
      err.println("Try 'grpc-mqtt " + qualifiedCommand + " --help' for more information.");
      return;
    }
    err.println(line("usage", message));
  }

  /** An unexpected failure (exit 1). */
  void failure(PrintWriter err, String command, String message) {
    err.println(this == text ? "grpc-mqtt " + command + ": " + message : line("failure", message));
  }

  private static String line(String kind, String message) {
    return "{\"kind\":" + quote(kind) + ",\"message\":" + quote(message) + "}";
  }

  /** {@code text} as a JSON string. */
  static String quote(String text) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
