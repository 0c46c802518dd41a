package io.grpcmqtt.internal;

import com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpcmqtt.mapper.table.MappingOptions;
import io.grpcmqtt.options.MethodMapping;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a method's options say about calling it: its {@code (grpcmqtt.method).timeout} (the
 * deadline its calls get when they set none) and whether it is idempotent. Read once per method.
 */
final class MethodPolicies {
  /**
   * Keyed by the proto method, which lives as long as its class: what the policy is made from, so
   * every gRPC descriptor of one method shares it.
   */
  private static final Map<com.google.protobuf.Descriptors.MethodDescriptor, Policy> CACHE =
      new ConcurrentHashMap<>();

  /**
   * Keyed by gRPC's descriptor (by identity: generated stubs hold one per method), so a call does
   * not ask the generated code for the proto method, which looks its service and method up by
   * name each time (two lookups and their name strings per call, twice per call). Bounded: a
   * program that makes descriptors per call falls back to the proto-keyed cache.
   */
  private static final Map<MethodDescriptor<?, ?>, Policy> BY_GRPC_METHOD =
      new ConcurrentHashMap<>();

  private static final int MAX_GRPC_METHODS = 10_000;

  /** The policy of a method without proto options: no timeout, not idempotent by options. */
  private static final Policy NONE = new Policy(-1L, false);

  private static final class Policy {
    /** Nanoseconds, or -1 for none. */
    final long timeoutNanos;
    final boolean idempotent;

    Policy(long timeoutNanos, boolean idempotent) {
      this.timeoutNanos = timeoutNanos;
      this.idempotent = idempotent;
    }
  }

  private MethodPolicies() {}

  /** The method's timeout in nanoseconds, else {@code fallback}. */
  static long timeoutNanos(MethodDescriptor<?, ?> method, long fallback) {
    Policy policy = policy(method);
    return policy.timeoutNanos > 0 ? policy.timeoutNanos : fallback;
  }

  /**
   * Whether running a call of the method twice does no harm: protobuf's {@code idempotency_level}
   * ({@code IDEMPOTENT} or {@code NO_SIDE_EFFECTS}, which grpc-java's generated descriptors also
   * carry) or {@code (grpcmqtt.method).idempotent}.
   */
  static boolean isIdempotent(MethodDescriptor<?, ?> method) {
    if (method.isIdempotent() || method.isSafe()) {
      return true;
    }
    return policy(method).idempotent;
  }

  private static Policy policy(MethodDescriptor<?, ?> method) {
    Policy policy = BY_GRPC_METHOD.get(method);
    if (policy == null) {
      policy = protoPolicy(method);
      if (BY_GRPC_METHOD.size() < MAX_GRPC_METHODS) {
        BY_GRPC_METHOD.putIfAbsent(method, policy);
      }
    }
    return policy;
  }

  private static Policy protoPolicy(MethodDescriptor<?, ?> method) {
    if (!(method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier)) {
      return NONE;
    }
    return CACHE.computeIfAbsent(supplier.getMethodDescriptor(), proto -> {
      MethodMapping options = MappingOptions.of(proto);
      IdempotencyLevel level = proto.getOptions().getIdempotencyLevel();
      boolean idempotent = options.getIdempotent()
          || level == IdempotencyLevel.IDEMPOTENT || level == IdempotencyLevel.NO_SIDE_EFFECTS;
      return new Policy(timeoutOf(options), idempotent);
    });
  }

  private static long timeoutOf(MethodMapping options) {
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
  }
}
