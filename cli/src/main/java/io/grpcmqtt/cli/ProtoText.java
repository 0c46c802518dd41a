package io.grpcmqtt.cli;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpcmqtt.bridge.MethodTypes;
import java.util.Locale;

/** Descriptors written back as proto source, annotated with their MQTT topics. */
final class ProtoText {
  private final Mappings mappings;

  ProtoText(Mappings mappings) {
    this.mappings = mappings;
  }

  String service(ServiceDescriptor service) {
    StringBuilder b = new StringBuilder();
    b.append("// ").append(service.getFile().getName())
        .append("; servers subscribe to ").append(String.join(", ", mappings.filters(service)))
        .append('\n');
    b.append("service ").append(service.getFullName()).append(" {\n");
    for (MethodDescriptor method : service.getMethods()) {
      b.append(method(method, "  "));
    }
    return b.append("}\n").toString();
  }

  String method(MethodDescriptor method, String indent) {
    String kind = MethodTypes.typeOf(method).name().toLowerCase(Locale.ROOT).replace('_', ' ');
    String template = mappings.template(method);
    String body = mappings.body(method);
    String also = template == null ? ""
        : " or " + template + (body == null ? "" : " (raw payload into " + body + ")");
    return indent + "// " + kind + "; requests to " + mappings.defaultTopic(method) + also + "\n"
        + indent + "rpc " + method.getName()
        + "(" + (method.isClientStreaming() ? "stream " : "") + method.getInputType().getFullName() + ")"
        + " returns (" + (method.isServerStreaming() ? "stream " : "") + method.getOutputType().getFullName() + ");\n";
  }

  String message(Descriptor message) {
    StringBuilder b = new StringBuilder();
    b.append("message ").append(message.getFullName()).append(" {\n");
    OneofDescriptor open = null;
    for (FieldDescriptor field : message.getFields()) {
      OneofDescriptor oneof = field.getRealContainingOneof();
      if (oneof != open) {
        if (open != null) {
          b.append("  }\n");
        }
        if (oneof != null) {
          b.append("  oneof ").append(oneof.getName()).append(" {\n");
        }
        open = oneof;
      }
      b.append(open != null ? "    " : "  ").append(field(field)).append('\n');
    }
    if (open != null) {
      b.append("  }\n");
    }
    return b.append("}\n").toString();
  }

  String enumeration(EnumDescriptor e) {
    StringBuilder b = new StringBuilder();
    b.append("enum ").append(e.getFullName()).append(" {\n");
    for (EnumValueDescriptor value : e.getValues()) {
      b.append("  ").append(value.getName()).append(" = ").append(value.getNumber()).append(";\n");
    }
    return b.append("}\n").toString();
  }

  private static String field(FieldDescriptor field) {
    String type;
    if (field.isMapField()) {
      Descriptor entry = field.getMessageType();
      type = "map<" + typeName(entry.findFieldByNumber(1)) + ", " + typeName(entry.findFieldByNumber(2)) + ">";
    } else {
      type = label(field) + typeName(field);
    }
    return type + " " + field.getName() + " = " + field.getNumber() + ";";
  }

  /** The label proto source would need: presence of a scalar outside a oneof is 'optional'. */
  private static String label(FieldDescriptor field) {
    if (field.isRepeated()) {
      return "repeated ";
    }
    if (field.isRequired()) {
      return "required ";
    }
    boolean scalar = field.getJavaType() != FieldDescriptor.JavaType.MESSAGE;
    return scalar && field.hasPresence() && field.getRealContainingOneof() == null ? "optional " : "";
  }

  private static String typeName(FieldDescriptor field) {
    switch (field.getType()) {
      case MESSAGE:
      case GROUP:
        return field.getMessageType().getFullName();
      case ENUM:
        return field.getEnumType().getFullName();
      default:
        return field.getType().name().toLowerCase(Locale.ROOT);
    }
  }
}
