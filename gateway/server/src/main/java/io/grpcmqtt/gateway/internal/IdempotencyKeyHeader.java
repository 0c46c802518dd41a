package io.grpcmqtt.gateway.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import javax.annotation.Nullable;

/**
 * Takes a Send's idempotency key from the call's metadata ({@value #NAME}) when its request
 * leaves {@code idempotency_key} empty: the device Send topic carries only the raw payload, but an
 * MQTT user property {@code idempotency-key} reaches the Gateway as metadata on every transport.
 */
public final class IdempotencyKeyHeader implements ServerInterceptor {
  /** The metadata key (MQTT user property name). */
  public static final String NAME = "idempotency-key";

  private static final Metadata.Key<String> KEY = Metadata.Key.of(NAME, Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> CONTEXT_KEY = Context.key(NAME);

  /** The key the current call's metadata carries, or null. */
  @Nullable
  static String current() {
    return CONTEXT_KEY.get();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String key = headers.get(KEY);
    if (key == null) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(Context.current().withValue(CONTEXT_KEY, key), call, headers, next);
  }
}
