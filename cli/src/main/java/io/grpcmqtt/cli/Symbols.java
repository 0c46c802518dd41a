package io.grpcmqtt.cli;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.GenericDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.TypeRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.annotation.Nullable;

/** The services, methods, messages and enums of a set of descriptors, by full name. */
final class Symbols {
  private final Map<String, ServiceDescriptor> services = new LinkedHashMap<>();
  private final Map<String, GenericDescriptor> types = new LinkedHashMap<>();
  private final TypeRegistry.Builder registry = TypeRegistry.newBuilder();

  Symbols(List<FileDescriptor> files) {
    for (FileDescriptor file : files) {
      for (ServiceDescriptor service : file.getServices()) {
        services.putIfAbsent(service.getFullName(), service);
      }
      for (Descriptor message : file.getMessageTypes()) {
        addMessage(message);
      }
      for (EnumDescriptor e : file.getEnumTypes()) {
        types.putIfAbsent(e.getFullName(), e);
      }
    }
  }

  private void addMessage(Descriptor message) {
    types.putIfAbsent(message.getFullName(), message);
    registry.add(message);
    for (Descriptor nested : message.getNestedTypes()) {
      addMessage(nested);
    }
    for (EnumDescriptor e : message.getEnumTypes()) {
      types.putIfAbsent(e.getFullName(), e);
    }
  }

  List<ServiceDescriptor> services() {
    return new ArrayList<>(services.values());
  }

  /** For printing and parsing {@code google.protobuf.Any} fields in JSON. */
  TypeRegistry typeRegistry() {
    return registry.build();
  }

  ServiceDescriptor service(String fullName) throws CliException {
    ServiceDescriptor service = services.get(fullName);
    if (service == null) {
      throw new CliException("unknown service '" + fullName + "': " + knownServices());
    }
    return service;
  }

  /** A method given as {@code package.Service/Method} or {@code package.Service.Method}. */
  MethodDescriptor method(String name) throws CliException {
    int split = name.indexOf('/');
    if (split < 0) {
      split = name.lastIndexOf('.');
    }
    if (split <= 0 || split == name.length() - 1 || name.indexOf('/', split + 1) >= 0) {
      throw new CliException(
          "'" + name + "' is not a method name: write package.Service/Method");
    }
    String serviceName = name.substring(0, split);
    String methodName = name.substring(split + 1);
    ServiceDescriptor service = services.get(serviceName);
    if (service == null) {
      throw new CliException(
          "unknown method '" + name + "': no service '" + serviceName + "'; " + knownServices());
    }
    MethodDescriptor method = service.findMethodByName(methodName);
    if (method == null) {
      throw new CliException(
          "unknown method '" + name + "': service " + serviceName + " has no method '"
              + methodName + "'; its methods: "
              + service.getMethods().stream().map(MethodDescriptor::getName)
                  .collect(Collectors.joining(", ")));
    }
    return method;
  }

  /** A service, method ({@code Service/Method} or {@code Service.Method}), message or enum. */
  @Nullable
  GenericDescriptor find(String symbol) {
    String name = symbol.startsWith(".") ? symbol.substring(1) : symbol;
    if (services.containsKey(name)) {
      return services.get(name);
    }
    if (types.containsKey(name)) {
      return types.get(name);
    }
    try {
      return method(name);
    } catch (CliException e) {
      return null;
    }
  }

  private String knownServices() {
    return services.isEmpty()
        ? "the given descriptors define no service"
        : "the given descriptors define " + String.join(", ", services.keySet());
  }
}
