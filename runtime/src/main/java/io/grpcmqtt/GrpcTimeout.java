package io.grpcmqtt;

import io.grpcmqtt.internal.Wire;

/**
 * The {@code grpc-timeout} value: a call's remaining deadline as gRPC's HTTP/2 header carries it
 * and as grpc-mqtt carries it in the user property of that name (docs/protocol.md §5.2): 1 to 8
 * digits and a unit, {@code H}, {@code M}, {@code S}, {@code m}, {@code u} or {@code n}.
 *
 * <pre>{@code
 * long nanos = GrpcTimeout.parseNanos("250m");   // 250_000_000
 * String value = GrpcTimeout.format(nanos);      // "250000u"
 * }</pre>
 *
 * <p>For code beside the channel and server builders that reads or writes it itself: a device
 * client publishing requests, or a proxy that takes the header off an HTTP/2 call (the bridge).
 */
public final class GrpcTimeout {
  /** The header and user property name, {@code grpc-timeout}. */
  public static final String NAME = Wire.TIMEOUT;

  private GrpcTimeout() {}

  /**
   * The timeout in nanoseconds.
   *
   * @throws IllegalArgumentException quoting {@code value} when it is not 1 to 8 digits and a unit
   */
  public static long parseNanos(String value) {
    return Wire.decodeTimeout(value);
  }

  /**
   * {@code nanos} (a negative value counts as 0) in the coarsest unit that keeps 8 digits, rounded
   * down, as grpc-java writes it.
   */
  public static String format(long nanos) {
    return Wire.encodeTimeout(nanos);
  }
}
