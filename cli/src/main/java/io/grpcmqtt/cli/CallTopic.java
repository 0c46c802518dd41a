package io.grpcmqtt.cli;

import com.google.protobuf.DynamicMessage;
import io.grpcmqtt.mapper.table.MappedMethod;
import io.grpcmqtt.mapper.template.TemplateException;
import javax.annotation.Nullable;

/**
 * Where {@code call} publishes: the method's default topic, or, with {@code --template} or
 * {@code --topic}, its topic template ({@code (grpcmqtt.method).topic}) filled from the request.
 * A request that cannot fill the template is refused here, before anything is sent, instead of
 * silently going to the default topic as a Java channel's would.
 */
final class CallTopic {
  private final MappedMethod mapping;
  private final boolean template;
  @Nullable private final String topic;

  private CallTopic(MappedMethod mapping, boolean template, @Nullable String topic) {
    this.mapping = mapping;
    this.template = template || topic != null;
    this.topic = topic;
  }

  /**
   * @param topic {@code --topic}: a topic of the template whose levels set the fields it binds
   * @throws CliException when the method has no template, or {@code topic} is not one of its topics
   */
  static CallTopic of(MappedMethod mapping, boolean template, @Nullable String topic) throws CliException {
    if ((template || topic != null) && mapping.binding().isEmpty()) {
      throw new CliException(mapping.fullMethodName() + " has no topic template"
          + " ((grpcmqtt.method).topic): it is called on its default topic " + mapping.defaultTopic());
    }
    if (topic != null) {
      String pattern = mapping.binding().get().template().toString();
      try {
        if (!mapping.fillFromTopic(topic, DynamicMessage.newBuilder(mapping.descriptor().getInputType()))) {
          throw new CliException("--topic '" + topic + "' is not a topic of " + mapping.fullMethodName()
              + "'s template '" + pattern + "'");
        }
      } catch (TemplateException e) {
        throw new CliException("--topic '" + topic + "': " + e.getMessage(), e);
      }
    }
    return new CallTopic(mapping, template, topic);
  }

  /** Whether the channel publishes to the template rather than to the default topic. */
  boolean usesTemplate() {
    return template;
  }

  /** {@code request} with the fields {@code --topic} binds set from it (they win over --data). */
  DynamicMessage fill(DynamicMessage request) {
    if (topic == null) {
      return request;
    }
    DynamicMessage.Builder builder = request.toBuilder();
    mapping.fillFromTopic(topic, builder);
    return builder.build();
  }

  /**
   * The topic the call's first message goes to.
   *
   * @param request the call's one request; null for a client-streaming call, whose template has
   *     no variables
   */
  String topicOf(@Nullable DynamicMessage request) throws RequestSource.InvalidRequest {
    if (!template) {
      return mapping.defaultTopic();
    }
    try {
      return mapping.requestTopic(request != null ? request
          : DynamicMessage.getDefaultInstance(mapping.descriptor().getInputType()));
    } catch (TemplateException e) {
      throw new RequestSource.InvalidRequest(e.getMessage()
          + "; set the field in the request, or give the topic with --topic");
    }
  }

  /** Where the topic comes from, for {@code -v}. */
  String origin() {
    return template
        ? "template " + mapping.binding().get().template() + (topic != null ? ", from --topic" : ", from the request")
        : "default topic";
  }
}
