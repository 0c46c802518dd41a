package io.grpcmqtt.internal;

import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpcmqtt.mapper.table.MappingOptions;
import io.grpcmqtt.options.MethodMapping;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code (grpcmqtt.method).timeout} of a method: the deadline its calls get when they set
 * none. Read once per method.
 */
final class MethodTimeouts {
  /** Nanoseconds, or -1 for none. Keyed by the proto method, which lives as long as its class. */
  private static final Map<com.google.protobuf.Descriptors.MethodDescriptor, Long> CACHE =
      new ConcurrentHashMap<>();

  private MethodTimeouts() {}

  /** The method's timeout in nanoseconds, else {@code fallback}. */
  static long nanos(MethodDescriptor<?, ?> method, long fallback) {
    if (!(method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier)) {
      return fallback;
    }
    long nanos = CACHE.computeIfAbsent(supplier.getMethodDescriptor(), proto -> {
      MethodMapping options = MappingOptions.of(proto);
      if (!options.hasTimeout()) {
        return -1L;
      }
      long value;
      try {
        value = java.time.Duration.ofSeconds(
            options.getTimeout().getSeconds(), options.getTimeout().getNanos()).toNanos();
      } catch (ArithmeticException e) {
        value = -1L;
      }
      // An invalid (non-positive) timeout is the plugin's and server's to report; ignore it here.
      return value > 0 ? value : -1L;
    });
    return nanos > 0 ? nanos : fallback;
  }
}
