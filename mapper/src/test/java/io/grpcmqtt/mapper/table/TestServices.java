package io.grpcmqtt.mapper.table;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceOptions;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpcmqtt.mapper.template.testproto.BindingTestProto;
import io.grpcmqtt.options.MethodMapping;
import io.grpcmqtt.options.OptionsProto;
import io.grpcmqtt.options.ServiceMapping;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds service descriptors with options the way protoc would describe them, so each test case
 * is one line. Requests are the messages of binding_test.proto (package {@code
 * grpcmqtt.mapper.template.test}): {@code Request} has a field of every kind, {@code Device} a
 * string {@code id}.
 */
final class TestServices {
  static final String PKG = "grpcmqtt.mapper.template.test";

  private TestServices() {}

  /** One rpc of a service under construction. */
  record Rpc(String name, String input, boolean clientStreaming, boolean serverStreaming,
      MethodMapping options) {}

  static Rpc unary(String name, MethodMapping options) {
    return new Rpc(name, "Request", false, false, options);
  }

  static Rpc unary(String name) {
    return unary(name, MethodMapping.getDefaultInstance());
  }

  static Rpc serverStreaming(String name, MethodMapping options) {
    return new Rpc(name, "Request", false, true, options);
  }

  static Rpc clientStreaming(String name, MethodMapping options) {
    return new Rpc(name, "Request", true, false, options);
  }

  static Rpc bidi(String name, MethodMapping options) {
    return new Rpc(name, "Request", true, true, options);
  }

  static MethodMapping topic(String template) {
    return MethodMapping.newBuilder().setTopic(template).build();
  }

  static MethodMapping topic(String template, String body) {
    return MethodMapping.newBuilder().setTopic(template).setBody(body).build();
  }

  /** Service {@code grpcmqtt.mapper.template.test.{name}} in file {@code {file}}. */
  static ServiceDescriptor service(String file, String name, ServiceMapping options, Rpc... rpcs) {
    ServiceDescriptorProto.Builder service = ServiceDescriptorProto.newBuilder().setName(name);
    if (!options.equals(ServiceMapping.getDefaultInstance())) {
      service.setOptions(ServiceOptions.newBuilder().setExtension(OptionsProto.service, options));
    }
    for (Rpc rpc : rpcs) {
      MethodDescriptorProto.Builder method = service.addMethodBuilder()
          .setName(rpc.name())
          .setInputType("." + PKG + "." + rpc.input())
          .setOutputType("." + PKG + ".Request")
          .setClientStreaming(rpc.clientStreaming())
          .setServerStreaming(rpc.serverStreaming());
      if (!rpc.options().equals(MethodMapping.getDefaultInstance())) {
        method.setOptions(MethodOptions.newBuilder().setExtension(OptionsProto.method, rpc.options()));
      }
    }
    FileDescriptorProto proto = FileDescriptorProto.newBuilder()
        .setName(file)
        .setPackage(PKG)
        .setSyntax("proto3")
        .addDependency(BindingTestProto.getDescriptor().getName())
        .addDependency(OptionsProto.getDescriptor().getName())
        .addService(service)
        .build();
    try {
      FileDescriptor built = FileDescriptor.buildFrom(proto,
          new FileDescriptor[] {BindingTestProto.getDescriptor(), OptionsProto.getDescriptor()});
      return built.getServices().get(0);
    } catch (DescriptorValidationException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static ServiceDescriptor service(String name, Rpc... rpcs) {
    return service("t.proto", name, ServiceMapping.getDefaultInstance(), rpcs);
  }

  static MethodTable table(ServiceDescriptor... services) {
    return MethodTable.build("grpc", List.of(services));
  }

  /** The lines of the exception {@link #table} throws. */
  static List<String> problems(ServiceDescriptor... services) {
    try {
      table(services);
    } catch (MappingException e) {
      List<String> lines = new ArrayList<>();
      e.problems().forEach(p -> lines.add(p.toString()));
      return lines;
    }
    throw new AssertionError("table built without problems");
  }
}
