package io.grpcmqtt.mapper.table;

import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.DescriptorProtos.ServiceOptions;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpcmqtt.options.MethodMapping;
import io.grpcmqtt.options.OptionsProto;
import io.grpcmqtt.options.ServiceMapping;

/**
 * Reads the {@code (grpcmqtt.service)} and {@code (grpcmqtt.method)} options of descriptors.
 *
 * <p>Works whatever built the descriptor: generated code registers the extensions, but a
 * descriptor built from a {@code FileDescriptorProto} (a protoc plugin, reflection) holds them as
 * unknown fields. Re-parsing the serialized options with a registry that knows them covers both.
 */
public final class MappingOptions {
  /** Option names as users write them in {@code .proto} files, for messages. */
  static final String SERVICE = "(grpcmqtt.service)";

  static final String METHOD = "(grpcmqtt.method)";

  private static final ExtensionRegistry REGISTRY = registry();

  private MappingOptions() {}

  private static ExtensionRegistry registry() {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    OptionsProto.registerAllExtensions(registry);
    return registry.getUnmodifiable();
  }

  /** The service's {@code (grpcmqtt.service)} option, or the default instance when unset. */
  public static ServiceMapping of(ServiceDescriptor service) {
    try {
      return ServiceOptions.parseFrom(service.getOptions().toByteString(), REGISTRY)
          .getExtension(OptionsProto.service);
    } catch (InvalidProtocolBufferException e) {
      // Options came out of a parsed descriptor, so they are well-formed protobuf.
      throw new IllegalStateException("unreadable options of service " + service.getFullName(), e);
    }
  }

  /** The method's {@code (grpcmqtt.method)} option, or the default instance when unset. */
  public static MethodMapping of(MethodDescriptor method) {
    try {
      return MethodOptions.parseFrom(method.getOptions().toByteString(), REGISTRY)
          .getExtension(OptionsProto.method);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("unreadable options of method " + method.getFullName(), e);
    }
  }
}
