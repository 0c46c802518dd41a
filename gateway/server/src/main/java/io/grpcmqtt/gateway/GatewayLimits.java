package io.grpcmqtt.gateway;

/**
 * The Gateway's limits and defaults. Requests outside them are refused with {@code
 * INVALID_ARGUMENT} (malformed values) or {@code RESOURCE_EXHAUSTED} (sizes), except {@code
 * max_wait_ms}, which is capped: a shorter wait only means an earlier empty answer.
 */
public final class GatewayLimits {
  /** Longest topic, in UTF-8 bytes. */
  public static final int MAX_TOPIC_BYTES = 1024;
  /** Largest {@code limit} of Receive and ReceiveStream. */
  public static final int MAX_RECEIVE_LIMIT = 1000;
  /**
   * {@code limit} when the request leaves it 0: one message per Receive, one unacknowledged
   * message in flight per ReceiveStream (a consumer that forgot the field is never handed more
   * than it can see).
   */
  public static final int DEFAULT_RECEIVE_LIMIT = 1;
  /** {@code max_wait_ms} when the request leaves it 0: answer at once. */
  public static final int DEFAULT_MAX_WAIT_MS = 0;
  /** Longest wait of a Receive; larger {@code max_wait_ms} values wait this long. */
  public static final int MAX_WAIT_CAP_MS = 20_000;
  /** {@code visibility_timeout_ms} when the request leaves it 0. */
  public static final int DEFAULT_VISIBILITY_TIMEOUT_MS = 30_000;
  /** Largest {@code visibility_timeout_ms} (12 hours). */
  public static final int MAX_VISIBILITY_TIMEOUT_MS = 12 * 60 * 60 * 1000;
  /** Default largest payload of a Send. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
  /** Most headers a message may carry. */
  public static final int MAX_HEADERS = 64;
  /** Most bytes (UTF-8, keys and values) all headers of a message may take. */
  public static final int MAX_HEADER_BYTES = 8 * 1024;
  /** Longest {@code idempotency_key} of a Send, in UTF-8 bytes. */
  public static final int MAX_IDEMPOTENCY_KEY_BYTES = 256;
  /** How long a Send's {@code idempotency_key} is remembered by default (1 hour). */
  public static final long DEFAULT_IDEMPOTENCY_WINDOW_MS = 60L * 60 * 1000;
  /**
   * Payload and header bytes one Receive answer carries at most (it always carries at least one
   * message when one is ready), well under the runtime's 4 MiB message limit.
   */
  public static final long MAX_RESPONSE_BYTES = 3L * 1024 * 1024;

  private GatewayLimits() {}
}
