package io.grpcmqtt.codegen;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** CodeGeneratorRequests as protoc builds them: every file, dependencies first. */
final class Requests {
  private Requests() {}

  static CodeGeneratorRequest of(FileDescriptor file, String parameter) {
    return of(file, parameter, UnaryOperator.identity());
  }

  /** With {@code edit} applied to the file to generate, e.g. to break one of its options. */
  static CodeGeneratorRequest of(
      FileDescriptor file, String parameter, UnaryOperator<FileDescriptorProto> edit) {
    Map<String, FileDescriptorProto> ordered = new LinkedHashMap<>();
    add(file, ordered);
    ordered.put(file.getName(), edit.apply(ordered.get(file.getName())));
    return CodeGeneratorRequest.newBuilder()
        .addFileToGenerate(file.getName())
        .setParameter(parameter)
        .addAllProtoFile(ordered.values())
        .build();
  }

  private static void add(FileDescriptor file, Map<String, FileDescriptorProto> ordered) {
    if (ordered.containsKey(file.getName())) {
      return;
    }
    file.getDependencies().forEach(d -> add(d, ordered));
    ordered.put(file.getName(), file.toProto());
  }
}
