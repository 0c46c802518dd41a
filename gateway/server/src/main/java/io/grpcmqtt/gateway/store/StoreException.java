package io.grpcmqtt.gateway.store;

/** A store operation failed (database unreachable, disk full, closed store); nothing was changed. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
