package io.grpcmqtt.bridge.internal;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerServiceDefinition;
import io.grpcmqtt.bridge.MethodTypes;

/**
 * A forwarding service built from a proto descriptor: each method has its real call kind and
 * message types, so the server hosting it validates requests, accepts JSON and answers an unknown
 * method itself; the messages are still forwarded as bytes.
 */
public final class DescribedServices {
  private DescribedServices() {}

  public static ServerServiceDefinition forward(ServiceDescriptor service, Channel target) {
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(service.getFullName());
    for (MethodDescriptor method : service.getMethods()) {
      MethodType type = MethodTypes.typeOf(method);
      io.grpc.MethodDescriptor<Object, Object> descriptor =
          io.grpc.MethodDescriptor.newBuilder(
                  new MessageMarshaller(DynamicMessage.getDefaultInstance(method.getInputType())),
                  new MessageMarshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
              .setFullMethodName(
                  io.grpc.MethodDescriptor.generateFullMethodName(service.getFullName(), method.getName()))
              .setType(type)
              .build();
      builder.addMethod(
          descriptor,
          (call, headers) ->
              CallForwarder.start(
                  call, headers, target.newCall(descriptor, CallOptions.DEFAULT), type));
    }
    return builder.build();
  }
}
