package io.grpcmqtt.internal;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import java.util.concurrent.TimeUnit;

/**
 * Gives calls without a deadline a default one, so no call over MQTT can wait forever for a reply
 * that will never come: the method's {@code (grpcmqtt.method).timeout} if it has one, else the
 * channel's default.
 */
public final class DefaultDeadlineInterceptor implements ClientInterceptor {
  private volatile long defaultNanos;

  public DefaultDeadlineInterceptor(long defaultNanos) {
    this.defaultNanos = defaultNanos;
  }

  public void setDefault(long nanos) {
    this.defaultNanos = nanos;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    long nanos = MethodPolicies.timeoutNanos(method, defaultNanos);
    if (nanos > 0 && callOptions.getDeadline() == null && Context.current().getDeadline() == null) {
      callOptions = callOptions.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS);
    }
    return next.newCall(method, callOptions);
  }
}
