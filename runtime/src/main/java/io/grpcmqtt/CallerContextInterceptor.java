package io.grpcmqtt;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpcmqtt.internal.StreamAttributes;
import io.grpcmqtt.mapper.mqtt311.Mqtt311Topics;
import javax.annotation.Nullable;

/**
 * Copies the call's Response Topic, and the client id in it, into the call's {@link Context}.
 * {@link MqttServerBuilder#build()} installs it as the outermost server interceptor, so every user
 * interceptor (server-wide or per service) and every handler sees {@link MqttCallAttributes}.
 */
final class CallerContextInterceptor implements ServerInterceptor {
  private final String replyTopicStart;
  private final Mqtt311Topics mqtt311;

  /** For a server whose topics start with {@code topicPrefix}. */
  CallerContextInterceptor(String topicPrefix) {
    this.replyTopicStart = topicPrefix + "/_reply/";
    this.mqtt311 = new Mqtt311Topics(topicPrefix);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String responseTopic = call.getAttributes().get(StreamAttributes.RESPONSE_TOPIC);
    if (responseTopic == null) {
      return next.startCall(call, headers);
    }
    Context context =
        Context.current()
            .withValues(
                MqttCallAttributes.RESPONSE_TOPIC, responseTopic,
                MqttCallAttributes.CALLER_CLIENT_ID, clientIdOf(responseTopic));
    return Contexts.interceptCall(context, call, headers, next);
  }

  /**
   * The client id of a grpc-mqtt reply topic of this prefix, or the reply reference of an MQTT
   * 3.1.1 caller; null for any other topic.
   */
  @Nullable
  String clientIdOf(String responseTopic) {
    if (!responseTopic.startsWith(replyTopicStart)) {
      return mqtt311.replyRefOf(responseTopic);
    }
    String id = responseTopic.substring(replyTopicStart.length());
    return id.isEmpty() || id.indexOf('/') >= 0 ? null : id;
  }
}
