package io.grpcmqtt.gateway.internal;

import static io.grpcmqtt.gateway.GatewayLimits.MAX_HEADERS;
import static io.grpcmqtt.gateway.GatewayLimits.MAX_HEADER_BYTES;
import static io.grpcmqtt.gateway.GatewayLimits.MAX_IDEMPOTENCY_KEY_BYTES;
import static io.grpcmqtt.gateway.GatewayLimits.MAX_TOPIC_BYTES;

import io.grpc.Status;
import io.grpc.StatusException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The one definition of a valid Gateway message: its queue topic, headers, payload size and
 * idempotency key. Every way in calls it the same way — the gRPC service (over MQTT, the device
 * Send topic, and any other transport) and MQTT ingest, through {@link Queues#send} — and the
 * mirror checks the same text rule ({@link MqttText}) before it publishes. A refusal is {@code INVALID_ARGUMENT} (malformed) or {@code RESOURCE_EXHAUSTED}
 * (too big), and names the field, the value (escaped, see {@link MqttText#quote}) and the rule.
 *
 * <p>A queue topic is an MQTT topic name a plain subscriber can subscribe to exactly: not empty,
 * valid MQTT text ({@link MqttText}), no wildcard, not starting with {@code $}, no empty level
 * (so {@code a//b}, {@code /a} and {@code a/} are refused: the device Send topic could not carry
 * them), at most {@value io.grpcmqtt.gateway.GatewayLimits#MAX_TOPIC_BYTES} UTF-8 bytes, and not
 * under a reserved prefix (where calls travel).
 */
public final class MessageRules {
  /** Header names the Gateway uses itself (e.g. on mirrored messages). */
  public static final String RESERVED_HEADER_PREFIX = "robustmq-";

  private final int maxPayloadBytes;
  /** Topic prefixes that carry calls or Gateway control messages; a queue there would loop. */
  private final List<String> reservedPrefixes;

  public MessageRules(int maxPayloadBytes, List<String> reservedPrefixes) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.reservedPrefixes = List.copyOf(reservedPrefixes);
  }

  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** Refuses a topic that is not a valid queue topic. */
  public void checkTopic(String topic) throws StatusException {
    String problem = topicProblem(topic);
    if (problem != null) {
      throw invalid(problem);
    }
  }

  /** Why {@code topic} is not a valid queue topic (one line, for a status or a log), or null. */
  @Nullable
  public String topicProblem(String topic) {
    if (topic.isEmpty()) {
      return "topic must not be empty";
    }
    String quoted = "topic " + MqttText.quote(topic);
    String text = MqttText.problem(topic);
    if (text != null) {
      return quoted + " " + text + ": MQTT cannot carry it";
    }
    if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
      return quoted + " must not contain the MQTT wildcards '+' or '#': a queue is one exact topic";
    }
    if (topic.startsWith("$")) {
      return quoted + " must not start with '$': such topics belong to the broker";
    }
    if (topic.startsWith("/") || topic.endsWith("/") || topic.contains("//")) {
      return quoted + " has an empty level: every level between '/' needs at least one character";
    }
    int bytes = topic.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_TOPIC_BYTES) {
      return "topic is " + bytes + " bytes long; the limit is " + MAX_TOPIC_BYTES + " bytes";
    }
    for (String reserved : reservedPrefixes) {
      if (topic.equals(reserved) || topic.startsWith(reserved + "/")) {
        return quoted + " is reserved: topics under '" + reserved + "/' carry Gateway calls, not queues";
      }
    }
    return null;
  }

  /**
   * Refuses a message that may not be stored.
   *
   * @param idempotencyKey the Send's key, or null / empty for none
   */
  public void checkSend(String topic, byte[] payload, Map<String, String> headers,
      @Nullable String idempotencyKey) throws StatusException {
    checkTopic(topic);
    if (payload.length > maxPayloadBytes) {
      throw exhausted("payload is " + payload.length + " bytes; the limit is " + maxPayloadBytes + " bytes");
    }
    checkHeaders(headers);
    if (idempotencyKey != null && !idempotencyKey.isEmpty()) {
      String text = MqttText.problem(idempotencyKey);
      if (text != null) {
        throw invalid("idempotency_key " + MqttText.quote(idempotencyKey) + " " + text);
      }
      int bytes = idempotencyKey.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_IDEMPOTENCY_KEY_BYTES) {
        throw invalid("idempotency_key is " + bytes + " bytes long; the limit is "
            + MAX_IDEMPOTENCY_KEY_BYTES + " bytes");
      }
    }
  }

  private static void checkHeaders(Map<String, String> headers) throws StatusException {
    if (headers.size() > MAX_HEADERS) {
      throw exhausted(headers.size() + " headers; the limit is " + MAX_HEADERS);
    }
    int headerBytes = 0;
    for (Map.Entry<String, String> h : headers.entrySet()) {
      String name = h.getKey();
      if (name.isEmpty()) {
        throw invalid("header names must not be empty");
      }
      String nameProblem = MqttText.problem(name);
      if (nameProblem != null) {
        throw invalid("header name " + MqttText.quote(name) + " " + nameProblem + ": MQTT cannot carry it");
      }
      String valueProblem = MqttText.problem(h.getValue());
      if (valueProblem != null) {
        throw invalid("header " + MqttText.quote(name) + ": value " + MqttText.quote(h.getValue()) + " "
            + valueProblem + ": MQTT cannot carry it");
      }
      if (name.startsWith(RESERVED_HEADER_PREFIX)) {
        throw invalid("header " + MqttText.quote(name) + ": names starting with '" + RESERVED_HEADER_PREFIX
            + "' are reserved for the Gateway");
      }
      headerBytes += name.getBytes(StandardCharsets.UTF_8).length
          + h.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    if (headerBytes > MAX_HEADER_BYTES) {
      throw exhausted("headers take " + headerBytes + " bytes; the limit is " + MAX_HEADER_BYTES + " bytes");
    }
  }

  static StatusException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asException();
  }

  private static StatusException exhausted(String message) {
    return Status.RESOURCE_EXHAUSTED.withDescription(message).asException();
  }
}
