package io.grpcmqtt.gateway.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpcmqtt.MqttCallAttributes;

/**
 * Marks the calls nobody can be answered on: MQTT requests without a Response Topic (a bare
 * publish on the device Send topic). Installed on the MQTT server only: over HTTP/2 every call
 * has its caller on the line, so a refusal there is the caller's status, never a log line.
 */
public final class OneWayCalls implements ServerInterceptor {
  private static final Context.Key<Boolean> ONE_WAY = Context.key("io.grpcmqtt.gateway.one-way");

  /** Whether the current call's answer goes nowhere. */
  static boolean current() {
    return Boolean.TRUE.equals(ONE_WAY.get());
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (call.getAttributes().get(MqttCallAttributes.ATTR_RESPONSE_TOPIC) != null) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(Context.current().withValue(ONE_WAY, true), call, headers, next);
  }
}
