package io.grpcmqtt.codegen;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.GeneratorNames;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Java names of what protoc's Java generator and grpc-java generate (protobuf's own {@link
 * GeneratorNames} replicates protoc's rules), and a clash-free name for each mapping class.
 */
final class JavaNames {
  /** Top-level class names already used in each Java package by the request's files. */
  private final Map<String, Set<String>> taken = new HashMap<>();

  JavaNames(Collection<FileDescriptor> files) {
    for (FileDescriptor file : files) {
      Set<String> names = taken.computeIfAbsent(javaPackage(file), p -> new HashSet<>());
      names.add(GeneratorNames.getFileClassName(file));
      for (Descriptor message : file.getMessageTypes()) {
        if (!GeneratorNames.getNestInFileClass(message)) {
          names.add(message.getName());
        }
      }
      for (EnumDescriptor enumType : file.getEnumTypes()) {
        if (!GeneratorNames.getNestInFileClass(enumType)) {
          names.add(enumType.getName());
        }
      }
      for (ServiceDescriptor service : file.getServices()) {
        names.add(grpcClassSimpleName(service));
      }
    }
  }

  static String javaPackage(FileDescriptor file) {
    return GeneratorNames.getFileJavaPackage(file);
  }

  /** The fully qualified name of a message's Java class, with '.' between nested classes. */
  static String messageClass(Descriptor message) {
    return GeneratorNames.getQualifiedClassName(message);
  }

  /** The outer class protoc generates for a file, fully qualified. */
  static String fileClass(FileDescriptor file) {
    return qualify(javaPackage(file), GeneratorNames.getFileClassName(file));
  }

  /** grpc-java's {@code <Service>Grpc}, fully qualified. */
  static String grpcClass(ServiceDescriptor service) {
    return qualify(javaPackage(service.getFile()), grpcClassSimpleName(service));
  }

  private static String grpcClassSimpleName(ServiceDescriptor service) {
    return service.getName() + "Grpc";
  }

  /**
   * {@code <Service>Mqtt}, or {@code <Service>Mqtt2}, {@code 3}, ... when a generated class of the
   * same package already has that name. Reserves the name it returns.
   */
  String mappingClass(ServiceDescriptor service) {
    Set<String> names = taken.computeIfAbsent(javaPackage(service.getFile()), p -> new HashSet<>());
    String base = service.getName() + "Mqtt";
    String name = base;
    for (int n = 2; names.contains(name); n++) {
      name = base + n;
    }
    names.add(name);
    return name;
  }

  static String qualify(String javaPackage, String simpleName) {
    return javaPackage.isEmpty() ? simpleName : javaPackage + "." + simpleName;
  }

  /** {@code SayHello} -> {@code SAY_HELLO}, {@code HTTPGet} -> {@code HTTP_GET}. */
  static String constantName(String camel) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (i > 0 && Character.isUpperCase(c)) {
        char prev = camel.charAt(i - 1);
        boolean nextLower = i + 1 < camel.length() && Character.isLowerCase(camel.charAt(i + 1));
        if (Character.isLowerCase(prev) || Character.isDigit(prev)
            || (Character.isUpperCase(prev) && nextLower)) {
          out.append('_');
        }
      }
      out.append(Character.toUpperCase(c));
    }
    return out.toString();
  }

  /** {@code SayHello} -> {@code sayHello}. */
  static String lowerFirst(String name) {
    return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }
}
