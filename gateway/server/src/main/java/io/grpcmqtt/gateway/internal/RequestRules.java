package io.grpcmqtt.gateway.internal;

import static io.grpcmqtt.gateway.GatewayLimits.DEFAULT_MAX_WAIT_MS;
import static io.grpcmqtt.gateway.GatewayLimits.DEFAULT_RECEIVE_LIMIT;
import static io.grpcmqtt.gateway.GatewayLimits.DEFAULT_VISIBILITY_TIMEOUT_MS;
import static io.grpcmqtt.gateway.GatewayLimits.MAX_RECEIVE_LIMIT;
import static io.grpcmqtt.gateway.GatewayLimits.MAX_VISIBILITY_TIMEOUT_MS;
import static io.grpcmqtt.gateway.GatewayLimits.MAX_WAIT_CAP_MS;

import io.grpc.StatusException;
import io.grpcmqtt.gateway.v1.ReceiveRequest;

/**
 * What a Receive, ReceiveStream or Ack request must satisfy, and the defaults it gets; topics are
 * checked by {@link MessageRules}. Every refusal names the field, the value and the rule, so a
 * device author can fix the request from the message alone.
 */
public final class RequestRules {
  private final MessageRules messages;

  public RequestRules(MessageRules messages) {
    this.messages = messages;
  }

  /** The rules of messages and topics. */
  public MessageRules messages() {
    return messages;
  }

  /** A Receive or ReceiveStream request with its defaults applied and caps enforced. */
  public record ReceiveParams(String topic, int limit, int maxWaitMs, int visibilityTimeoutMs) {}

  public ReceiveParams receive(ReceiveRequest r) throws StatusException {
    messages.checkTopic(r.getTopic());
    long limit = Integer.toUnsignedLong(r.getLimit());
    if (limit > MAX_RECEIVE_LIMIT) {
      throw MessageRules.invalid("limit must be between 1 and " + MAX_RECEIVE_LIMIT + " (0 or unset means "
          + DEFAULT_RECEIVE_LIMIT + "), was " + limit);
    }
    int lim = limit == 0 ? DEFAULT_RECEIVE_LIMIT : (int) limit;
    long wait = Integer.toUnsignedLong(r.getMaxWaitMs());
    int maxWait = wait == 0 ? DEFAULT_MAX_WAIT_MS : (int) Math.min(wait, MAX_WAIT_CAP_MS);
    long visibility = Integer.toUnsignedLong(r.getVisibilityTimeoutMs());
    if (visibility > MAX_VISIBILITY_TIMEOUT_MS) {
      throw MessageRules.invalid("visibility_timeout_ms must be at most " + MAX_VISIBILITY_TIMEOUT_MS
          + " (12 h), was " + visibility);
    }
    int vis = visibility == 0 ? DEFAULT_VISIBILITY_TIMEOUT_MS : (int) visibility;
    return new ReceiveParams(r.getTopic(), lim, maxWait, vis);
  }

  /** The store id in a {@code msg_id}, or -1 when it cannot be one (then no message has it). */
  public long parseMsgId(String topic, String msgId) throws StatusException {
    messages.checkTopic(topic);
    if (msgId.isEmpty()) {
      throw MessageRules.invalid("msg_id must not be empty");
    }
    try {
      long id = Long.parseLong(msgId);
      return id > 0 ? id : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
