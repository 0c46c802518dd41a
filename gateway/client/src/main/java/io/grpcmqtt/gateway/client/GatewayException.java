package io.grpcmqtt.gateway.client;

import io.grpc.Status;

/**
 * A Gateway call failed. Unchecked; {@link #status()} is the gRPC status the Gateway (or the
 * transport) answered with, and the message says which verb on which topic failed and why.
 *
 * <p>What the codes mean here: {@code INVALID_ARGUMENT} a bad topic, header, limit or id (fix the
 * request); {@code RESOURCE_EXHAUSTED} a payload or headers over the Gateway's limits; {@code
 * NOT_FOUND} an {@code ack} of a message that is not (or no longer) delivered; {@code
 * UNAVAILABLE} the Gateway, its store or the connection is down (try again); {@code
 * DEADLINE_EXCEEDED} no answer in time.
 */
public final class GatewayException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Status status;

  GatewayException(String what, Status status, Throwable cause) {
    super(what + " failed: " + status.getCode()
        + (status.getDescription() == null ? "" : ": " + status.getDescription()), cause);
    this.status = status;
  }

  /** The gRPC status, with its code and description. */
  public Status status() {
    return status;
  }

  /** Shorthand for {@code status().getCode()}. */
  public Status.Code code() {
    return status.getCode();
  }
}
