package io.grpcmqtt.cli;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoUtils;
import io.grpcmqtt.bridge.MethodTypes;

/** grpc-java method descriptors for methods known only from protobuf descriptors. */
final class DynamicMethods {
  private DynamicMethods() {}

  /**
   * A descriptor that carries {@code method}'s protobuf descriptor as its schema, as generated
   * stubs do: the runtime reads the method's {@code grpcmqtt/options.proto} mapping (topic
   * template, QoS, timeout) from it.
   */
  static io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> of(MethodDescriptor method) {
    return io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
        .setType(MethodTypes.typeOf(method))
        .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(
            method.getService().getFullName(), method.getName()))
        .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
        .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
        .setSchemaDescriptor(new Schema(method))
        .build();
  }

  private record Schema(MethodDescriptor method) implements ProtoMethodDescriptorSupplier {
    @Override
    public MethodDescriptor getMethodDescriptor() {
      return method;
    }

    @Override
    public ServiceDescriptor getServiceDescriptor() {
      return method.getService();
    }

    @Override
    public FileDescriptor getFileDescriptor() {
      return method.getFile();
    }
  }
}
