package io.grpcmqtt.internal;

import com.google.protobuf.Message;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpcmqtt.mapper.codec.PayloadFormat;
import io.grpcmqtt.mapper.table.MappedMethod;
import io.grpcmqtt.mapper.template.TemplateException;

/**
 * Builds the request of a call that arrived on a method's topic template: the payload (the whole
 * message, or the raw value of the body field) plus the fields the topic binds, which win over
 * the payload's.
 */
final class TopicFields {
  private final MappedMethod method;
  private final String topic;
  private final boolean rawBody;

  TopicFields(MappedMethod method, String topic, boolean rawBody) {
    this.method = method;
    this.topic = topic;
    this.rawBody = rawBody;
  }

  Message decode(Message prototype, PayloadFormat format, byte[] payload) throws StatusException {
    if (prototype.getDescriptorForType() != method.descriptor().getInputType()) {
      // A service definition whose marshaller and schema describe different request types.
      throw Status.INTERNAL.withDescription("request type " + prototype.getDescriptorForType()
          .getFullName() + " of " + method.fullMethodName()
          + " is not the one its schema descriptor maps").asException();
    }
    Message.Builder request;
    if (rawBody) {
      request = prototype.newBuilderForType();
      try {
        method.fillBody(request, payload);
      } catch (IllegalArgumentException e) {
        throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException();
      }
    } else {
      request = PayloadCodec.parse(prototype, format, payload).toBuilder();
    }
    try {
      method.fillFromTopic(topic, request);
    } catch (TemplateException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException();
    }
    return request.build();
  }
}
