package io.grpcmqtt.cli;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.Descriptors.GenericDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpcmqtt.bridge.MethodTypes;
import io.grpcmqtt.mapper.mqtt311.Mqtt311Topics;
import io.grpcmqtt.mapper.table.MappedMethod;
import io.grpcmqtt.mapper.table.MappedService;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Descriptors written back as proto source, annotated with their MQTT topics and the mapping
 * options that change how a method is called (QoS, timeout, idempotent).
 */
final class ProtoText {
  private final Mappings mappings;

  ProtoText(Mappings mappings) {
    this.mappings = mappings;
  }

  String service(ServiceDescriptor service) {
    MappedService mapped = mappings.mapped(service);
    StringBuilder b = new StringBuilder();
    b.append("// ").append(service.getFile().getName())
        .append("; servers subscribe to ").append(String.join(", ", mappings.filters(service)));
    mapped.sharedSubscriptionGroup().ifPresent(g -> b.append(" in shared subscription group ").append(g));
    if (mapped.qos().isPresent()) {
      b.append("; QoS ").append(mapped.qos().getAsInt());
    }
    b.append('\n');
    if (mapped.methods().stream().anyMatch(m -> m.type() == MethodType.UNARY)) {
      Mqtt311Topics mqtt311 = mappings.mqtt311();
      b.append("// MQTT 3.1.1 devices call unary methods at ")
          .append(mqtt311.requestAddress("<request topic>")).append(", replies on ")
          .append(mqtt311.replyAddress()).append('\n');
    }
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
        + options(mappings.mapped(method), indent)
        + mqtt311(method, template, indent)
        + indent + "rpc " + method.getName()
        + "(" + (method.isClientStreaming() ? "stream " : "") + method.getInputType().getFullName() + ")"
        + " returns (" + (method.isServerStreaming() ? "stream " : "") + method.getOutputType().getFullName() + ");\n";
  }

  /** Where an MQTT 3.1.1 device calls a unary method, as one comment line; or nothing. */
  private String mqtt311(MethodDescriptor method, String template, String indent) {
    if (MethodTypes.typeOf(method) != MethodType.UNARY) {
      return "";
    }
    Mqtt311Topics mqtt311 = mappings.mqtt311();
    return indent + "// MQTT 3.1.1: " + mqtt311.requestAddress(mappings.defaultTopic(method))
        + (template == null ? "" : " or " + mqtt311.requestAddress(template)) + "\n";
  }

  /** The mapping options that change how the method is called, as one comment line; or nothing. */
  private static String options(MappedMethod mapped, String indent) {
    List<String> options = new ArrayList<>();
    mapped.qos().ifPresent(qos -> options.add("QoS " + qos));
    mapped.timeout().ifPresent(t -> options.add("timeout " + (t.toMillis() % 1000 == 0 ? t.toSeconds() + "s" : t.toMillis() + "ms")));
    if (mapped.idempotent()) {
      options.add("idempotent");
    }
    return options.isEmpty() ? "" : indent + "// " + String.join(", ", options) + "\n";
  }

  /**
   * {@code types} in proto syntax, each followed by the message and enum types its fields use, at
   * any depth (each once; nested types inside their parent; google.protobuf's types left out).
   */
  String messages(List<Descriptor> types) {
    Set<GenericDescriptor> shown = new LinkedHashSet<>();
    Deque<GenericDescriptor> pending = new ArrayDeque<>(types);
    StringBuilder b = new StringBuilder();
    while (!pending.isEmpty()) {
      GenericDescriptor type = pending.poll();
      if (type.getFullName().startsWith("google.protobuf.") || insideShown(type, shown) || !shown.add(type)) {
        continue;
      }
      if (type instanceof Descriptor message) {
        b.append(message(message));
        referencedBy(message, pending);
      } else {
        b.append(enumeration((EnumDescriptor) type));
      }
    }
    return b.toString();
  }

  /** True if {@code type} is nested in a type already shown, and so shown inside it. */
  private static boolean insideShown(GenericDescriptor type, Set<GenericDescriptor> shown) {
    Descriptor parent = type instanceof Descriptor m ? m.getContainingType() : ((EnumDescriptor) type).getContainingType();
    for (; parent != null; parent = parent.getContainingType()) {
      if (shown.contains(parent)) {
        return true;
      }
    }
    return false;
  }

  /** Adds the types of {@code message}'s fields (and those of its nested types) to {@code into}. */
  private static void referencedBy(Descriptor message, Deque<GenericDescriptor> into) {
    for (FieldDescriptor field : message.getFields()) {
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        Descriptor type = field.getMessageType();
        if (type.getOptions().getMapEntry()) {
          referencedBy(type, into);
        } else {
          into.add(type);
        }
      } else if (field.getJavaType() == FieldDescriptor.JavaType.ENUM) {
        into.add(field.getEnumType());
      }
    }
    for (Descriptor nested : message.getNestedTypes()) {
      if (!nested.getOptions().getMapEntry()) {
        referencedBy(nested, into);
      }
    }
  }

  String message(Descriptor message) {
    return message(message, "", message.getFullName());
  }

  private String message(Descriptor message, String indent, String name) {
    StringBuilder b = new StringBuilder();
    b.append(indent).append("message ").append(name).append(" {\n");
    OneofDescriptor open = null;
    for (FieldDescriptor field : message.getFields()) {
      OneofDescriptor oneof = field.getRealContainingOneof();
      if (oneof != open) {
        if (open != null) {
          b.append(indent).append("  }\n");
        }
        if (oneof != null) {
          b.append(indent).append("  oneof ").append(oneof.getName()).append(" {\n");
        }
        open = oneof;
      }
      b.append(indent).append(open != null ? "    " : "  ").append(field(field)).append('\n');
    }
    if (open != null) {
      b.append(indent).append("  }\n");
    }
    for (Descriptor nested : message.getNestedTypes()) {
      if (!nested.getOptions().getMapEntry()) {
        b.append(message(nested, indent + "  ", nested.getName()));
      }
    }
    for (EnumDescriptor nested : message.getEnumTypes()) {
      b.append(enumeration(nested, indent + "  ", nested.getName()));
    }
    return b.append(indent).append("}\n").toString();
  }

  String enumeration(EnumDescriptor e) {
    return enumeration(e, "", e.getFullName());
  }

  private static String enumeration(EnumDescriptor e, String indent, String name) {
    StringBuilder b = new StringBuilder();
    b.append(indent).append("enum ").append(name).append(" {\n");
    for (EnumValueDescriptor value : e.getValues()) {
      b.append(indent).append("  ").append(value.getName()).append(" = ").append(value.getNumber()).append(";\n");
    }
    return b.append(indent).append("}\n").toString();
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
