package io.grpcmqtt.internal;

import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpcmqtt.mapper.mqtt311.Mqtt311Request;
import io.grpcmqtt.mapper.mqtt311.Mqtt311Topics;
import io.grpcmqtt.mqtt.MqttMessage;
import io.grpcmqtt.mqtt.MqttUserProperty;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.annotation.Nullable;

/**
 * Turns a request of the MQTT 3.1.1 binding (docs/protocol.md §14) into what the MQTT 5 path
 * works with: the route of its method, a {@link Frame} holding the properties an MQTT 5 caller
 * would have sent (Response Topic = the caller topic, Correlation Data = the request id, Content
 * Type from the format option, {@code grpc-timeout} from the timeout option or the method's
 * {@code (grpcmqtt.method).timeout}), and the encoding of its reply. Or a refusal. Whatever MQTT 5
 * properties the PUBLISH itself carries are ignored: the binding is the topic and the payload.
 * Runs on Paho's callback thread, so it only reads strings.
 */
final class V311RequestParser {
  /** A call to start ({@link #refusal} null), or a refusal, answered when {@link #frame} is set. */
  static final class Result {
    @Nullable final RequestRoute route;
    /** The request as an MQTT 5 frame; null when no reply address could be read. */
    @Nullable final Frame frame;
    @Nullable final V311Replies replies;
    @Nullable final Status refusal;
    /** What the request addressed, for the log: the method, else the topic. */
    final String subject;

    private Result(
        @Nullable RequestRoute route, @Nullable Frame frame, @Nullable V311Replies replies,
        @Nullable Status refusal, String subject) {
      this.route = route;
      this.frame = frame;
      this.replies = replies;
      this.refusal = refusal;
      this.subject = subject;
    }
  }

  private final Mqtt311Topics topics;
  private final RequestRoutes routes;

  V311RequestParser(Mqtt311Topics topics, RequestRoutes routes) {
    this.topics = topics;
    this.routes = routes;
  }

  /** The filter that receives, in this binding's form, what an MQTT 5 request filter receives. */
  String filterFor(String requestFilter) {
    return topics.requestFilter(requestFilter);
  }

  /** What identifies the calls of the caller whose reply reference is {@code replyRef}. */
  String callerTopic(String replyRef) {
    return topics.callerTopic(replyRef);
  }

  /**
   * A request received on {@code filter}, the binding's form of an MQTT 5 request filter (so
   * the topic is one of this binding's requests): the request topic in it is routed as that
   * filter's MQTT 5 form would route it.
   */
  Result parse(RequestRoutes.RequestFilter filter, MqttMessage message) {
    String topic = message.topic();
    Mqtt311Request request = topics.parse(topic);
    if (!request.hasReplyAddress()) {
      return new Result(null, null, null, invalid(request.problem()), "MQTT 3.1.1 request");
    }
    V311Replies replies = new V311Replies(topics, request.replyRef(), request.requestId());
    byte[] payload = message.payload();
    if (request.problem() != null) {
      return refuse(request, payload, replies, topic, request.problem());
    }
    String requestTopic = request.requestTopic();
    RequestRoute route = filter.route(requestTopic);
    if (route == null) {
      RequestRoutes.Mismatch mismatch = routes.mismatch(requestTopic);
      return mismatch != null
          ? refuse(request, payload, replies, mismatch.fullMethodName(), mismatch.reason())
          : refuse(request, payload, replies, topic,
              "'" + requestTopic + "' is not a request topic of this server");
    }
    String timeout = request.timeout();
    if (timeout != null) {
      try {
        Wire.decodeTimeout(timeout);
      } catch (IllegalArgumentException e) {
        return refuse(request, payload, replies, route.fullMethodName, "invalid timeout '"
            + timeout + "' in the options level: use 1 to 8 digits and a unit, H, M, S, m, u or n");
      }
    }
    MethodRegistry.Entry entry = route.entry();
    if (entry != null) {
      MethodType type = entry.method.getType();
      if (type != MethodType.UNARY) {
        return refuse(request, payload, replies, route.fullMethodName, route.fullMethodName
            + " is a " + type.name().toLowerCase(Locale.ROOT).replace('_', ' ')
            + " method: the MQTT 3.1.1 binding carries unary calls only");
      }
      if (timeout == null) {
        long methodDefault = MethodPolicies.timeoutNanos(entry.method, -1);
        if (methodDefault > 0) {
          timeout = Wire.encodeTimeout(methodDefault);
        }
      }
    }
    return new Result(route, frame(request, requestTopic, payload, timeout), replies, null,
        route.fullMethodName);
  }

  private Result refuse(
      Mqtt311Request request, byte[] payload, V311Replies replies, String subject, String why) {
    return new Result(null, frame(request, subject, payload, null), replies, invalid(why), subject);
  }

  private static Status invalid(String why) {
    return Status.INVALID_ARGUMENT.withDescription(why);
  }

  /** The request as an MQTT 5 caller would have published it. */
  private Frame frame(
      Mqtt311Request request, String topic, byte[] payload, @Nullable String timeout) {
    PublishProperties p = new PublishProperties();
    p.setResponseTopic(topics.callerTopic(request.replyRef()));
    p.setCorrelationData(request.requestId().getBytes(StandardCharsets.US_ASCII));
    if (request.contentType() != null) {
      p.setContentType(request.contentType());
    }
    if (timeout != null) {
      List<MqttUserProperty> props = new ArrayList<>(1);
      props.add(new MqttUserProperty(Wire.TIMEOUT, timeout));
      p.setUserProperties(props);
    }
    return Frame.of(topic, payload, p);
  }
}
