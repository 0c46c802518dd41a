package io.grpcmqtt.gateway.internal;

import static io.grpcmqtt.gateway.GatewayLimits.DEFAULT_MAX_WAIT_MS;
import static io.grpcmqtt.gateway.GatewayLimits.DEFAULT_VISIBILITY_TIMEOUT_MS;
import static io.grpcmqtt.gateway.GatewayLimits.MAX_HEADERS;
import static io.grpcmqtt.gateway.GatewayLimits.MAX_HEADER_BYTES;
import static io.grpcmqtt.gateway.GatewayLimits.MAX_RECEIVE_LIMIT;
import static io.grpcmqtt.gateway.GatewayLimits.MAX_TOPIC_BYTES;
import static io.grpcmqtt.gateway.GatewayLimits.MAX_VISIBILITY_TIMEOUT_MS;
import static io.grpcmqtt.gateway.GatewayLimits.MAX_WAIT_CAP_MS;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpcmqtt.gateway.v1.ReceiveRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What a request must satisfy, and the defaults it gets. Every refusal names the field, the value
 * and the rule, so a device author can fix the request from the message alone.
 */
public final class RequestRules {
  /** Header names the Gateway uses itself (e.g. on mirrored messages). */
  public static final String RESERVED_HEADER_PREFIX = "robustmq-";
  private final int maxPayloadBytes;
  /** Topic prefixes that carry RPCs or device commands; a queue there would loop. */
  private final List<String> reservedPrefixes;

  public RequestRules(int maxPayloadBytes, List<String> reservedPrefixes) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.reservedPrefixes = List.copyOf(reservedPrefixes);
  }

  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** A Receive or ReceiveStream request with its defaults applied and caps enforced. */
  public record ReceiveParams(String topic, int limit, int maxWaitMs, int visibilityTimeoutMs) {}

  public void checkTopic(String topic) throws StatusException {
    if (topic.isEmpty()) {
      throw invalid("topic must not be empty");
    }
    if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
      throw invalid("topic '" + topic + "' must not contain the MQTT wildcards '+' or '#': a queue is one exact topic");
    }
    if (topic.indexOf('\0') >= 0) {
      throw invalid("topic must not contain the NUL character");
    }
    if (topic.startsWith("$")) {
      throw invalid("topic '" + topic + "' must not start with '$': such topics belong to the broker");
    }
    int bytes = topic.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_TOPIC_BYTES) {
      throw invalid("topic is " + bytes + " bytes long; the limit is " + MAX_TOPIC_BYTES + " bytes");
    }
    for (String reserved : reservedPrefixes) {
      if (topic.equals(reserved) || topic.startsWith(reserved + "/")) {
        throw invalid("topic '" + topic + "' is reserved: topics under '" + reserved
            + "/' carry Gateway calls, not queues");
      }
    }
  }

  public void checkSend(String topic, byte[] payload, Map<String, String> headers) throws StatusException {
    checkTopic(topic);
    if (payload.length > maxPayloadBytes) {
      throw exhausted("payload is " + payload.length + " bytes; the limit is " + maxPayloadBytes + " bytes");
    }
    if (headers.size() > MAX_HEADERS) {
      throw exhausted(headers.size() + " headers; the limit is " + MAX_HEADERS);
    }
    int headerBytes = 0;
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (h.getKey().isEmpty()) {
        throw invalid("header names must not be empty");
      }
      if (h.getKey().startsWith(RESERVED_HEADER_PREFIX)) {
        throw invalid("header '" + h.getKey() + "': names starting with '" + RESERVED_HEADER_PREFIX
            + "' are reserved for the Gateway");
      }
      headerBytes += h.getKey().getBytes(StandardCharsets.UTF_8).length
          + h.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    if (headerBytes > MAX_HEADER_BYTES) {
      throw exhausted("headers take " + headerBytes + " bytes; the limit is " + MAX_HEADER_BYTES + " bytes");
    }
  }

  public ReceiveParams receive(ReceiveRequest r) throws StatusException {
    checkTopic(r.getTopic());
    long limit = Integer.toUnsignedLong(r.getLimit());
    if (limit == 0 || limit > MAX_RECEIVE_LIMIT) {
      throw invalid("limit must be between 1 and " + MAX_RECEIVE_LIMIT + ", was " + limit);
    }
    long wait = Integer.toUnsignedLong(r.getMaxWaitMs());
    int maxWait = wait == 0 ? DEFAULT_MAX_WAIT_MS : (int) Math.min(wait, MAX_WAIT_CAP_MS);
    long visibility = Integer.toUnsignedLong(r.getVisibilityTimeoutMs());
    if (visibility > MAX_VISIBILITY_TIMEOUT_MS) {
      throw invalid("visibility_timeout_ms must be at most " + MAX_VISIBILITY_TIMEOUT_MS + " (12 h), was " + visibility);
    }
    int vis = visibility == 0 ? DEFAULT_VISIBILITY_TIMEOUT_MS : (int) visibility;
    return new ReceiveParams(r.getTopic(), (int) limit, maxWait, vis);
  }

  /** The store id in a {@code msg_id}, or -1 when it cannot be one (then no message has it). */
  public long parseMsgId(String topic, String msgId) throws StatusException {
    checkTopic(topic);
    if (msgId.isEmpty()) {
      throw invalid("msg_id must not be empty");
    }
    try {
      long id = Long.parseLong(msgId);
      return id > 0 ? id : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static StatusException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asException();
  }

  private static StatusException exhausted(String message) {
    return Status.RESOURCE_EXHAUSTED.withDescription(message).asException();
  }
}
