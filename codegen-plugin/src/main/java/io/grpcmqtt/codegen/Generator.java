package io.grpcmqtt.codegen;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import io.grpcmqtt.mapper.table.MappedService;
import io.grpcmqtt.mapper.table.MappingException;
import io.grpcmqtt.mapper.table.MethodTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@code CodeGeneratorRequest} into generated files: one method table over every service
 * of the files to generate (so collisions across files are found), then per service a Java
 * mapping class and an AsyncAPI document.
 */
final class Generator {
  private Generator() {}

  static CodeGeneratorResponse generate(CodeGeneratorRequest request) {
    CodeGeneratorResponse.Builder response = CodeGeneratorResponse.newBuilder()
        .setSupportedFeatures(CodeGeneratorResponse.Feature.FEATURE_PROTO3_OPTIONAL_VALUE);
    Parameters parameters;
    Map<String, FileDescriptor> files;
    try {
      parameters = Parameters.parse(request.getParameter());
      files = build(request);
    } catch (IllegalArgumentException e) {
      return response.setError(e.getMessage()).build();
    }
    List<ServiceDescriptor> services = new ArrayList<>();
    request.getFileToGenerateList().forEach(name -> services.addAll(files.get(name).getServices()));
    MethodTable table;
    try {
      table = MethodTable.build(parameters.prefix(), services);
    } catch (MappingException e) {
      return response.setError(e.getMessage()).build();
    } catch (IllegalArgumentException e) {
      return response.setError("parameter prefix: " + e.getMessage()).build();
    }
    JavaNames names = new JavaNames(files.values());
    for (MappedService service : table.services()) {
      if (parameters.java()) {
        JavaMappingClass java = new JavaMappingClass(service, names, parameters.prefix());
        response.addFileBuilder().setName(java.path()).setContent(java.source());
      }
      if (parameters.asyncApi()) {
        AsyncApiDocument doc = new AsyncApiDocument(service, parameters.prefix(), parameters.version());
        response.addFileBuilder().setName(doc.path()).setContent(doc.json());
      }
    }
    return response.build();
  }

  /** Descriptors of every file protoc sent (dependencies first, as protoc orders them), by name. */
  private static Map<String, FileDescriptor> build(CodeGeneratorRequest request) {
    Map<String, FileDescriptor> built = new LinkedHashMap<>();
    for (FileDescriptorProto proto : request.getProtoFileList()) {
      FileDescriptor[] dependencies = proto.getDependencyList().stream()
          .map(built::get)
          .toArray(FileDescriptor[]::new);
      try {
        built.put(proto.getName(), FileDescriptor.buildFrom(proto, dependencies));
      } catch (DescriptorValidationException e) {
        throw new IllegalArgumentException(proto.getName() + ": " + e.getMessage(), e);
      }
    }
    return built;
  }
}
