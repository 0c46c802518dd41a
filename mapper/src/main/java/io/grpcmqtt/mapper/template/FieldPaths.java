package io.grpcmqtt.mapper.template;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a template variable's field path against a request message type and checks that the
 * field can live in a topic.
 *
 * <p>A topic level is text that must turn back into the same field value, so only singular
 * scalars with one exact text form qualify: strings, integers, bools and enums (by name).
 */
final class FieldPaths {
  private FieldPaths() {}

  /**
   * The fields along {@code variable}'s path, outermost first.
   *
   * @return null-free list; throws instead of returning a partial path
   */
  static List<FieldDescriptor> resolve(
      TopicTemplate template, Segment.Variable variable, Descriptor requestType) {
    String path = variable.fieldPath();
    List<String> names = variable.fieldNames();
    List<FieldDescriptor> fields = new ArrayList<>(names.size());
    Descriptor message = requestType;
    for (int i = 0; i < names.size(); i++) {
      FieldDescriptor field = message.findFieldByName(names.get(i));
      if (field == null) {
        throw error(template, path,
            "message " + message.getFullName() + " has no field '" + names.get(i) + "'");
      }
      fields.add(field);
      if (i < names.size() - 1) {
        message = traversable(template, path, field);
      }
    }
    checkLeaf(template, variable, fields.get(fields.size() - 1));
    return List.copyOf(fields);
  }

  /** The message type of an intermediate field, which must be a singular message. */
  private static Descriptor traversable(TopicTemplate template, String path, FieldDescriptor field) {
    String which = describe(field);
    if (field.isMapField()) {
      throw error(template, path, which + " is a map; only singular message fields can be traversed");
    }
    if (field.isRepeated()) {
      throw error(template, path,
          which + " is repeated; only singular message fields can be traversed");
    }
    if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
      throw error(template, path, which + " is " + typeName(field) + ", not a message");
    }
    return field.getMessageType();
  }

  private static void checkLeaf(TopicTemplate template, Segment.Variable variable, FieldDescriptor field) {
    String path = variable.fieldPath();
    String which = describe(field);
    if (field.isMapField()) {
      throw error(template, path, which + " is a map; only singular fields can be bound to a topic");
    }
    if (field.isRepeated()) {
      throw error(template, path,
          which + " is repeated; only singular fields can be bound to a topic");
    }
    switch (field.getJavaType()) {
      case MESSAGE:
        throw error(template, path, which + " is a message; bind one of its scalar fields instead, as in {"
            + path + ".<field>}");
      case BYTE_STRING:
        throw error(template, path, which + " is bytes, which has no canonical text form for a topic");
      case FLOAT:
      case DOUBLE:
        throw error(template, path,
            which + " is " + typeName(field) + ", which has no exact text form for a topic");
      default:
        break;
    }
    if (variable.multiLevel() && field.getJavaType() != FieldDescriptor.JavaType.STRING) {
      throw error(template, path, "'**' binds several topic levels and needs a string field, but "
          + which + " is " + typeName(field));
    }
  }

  /** The proto type keyword, e.g. {@code sfixed64}, as users wrote it in their .proto file. */
  static String typeName(FieldDescriptor field) {
    return field.getType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String describe(FieldDescriptor field) {
    return "field '" + field.getName() + "' of " + field.getContainingType().getFullName();
  }

  private static TemplateException error(TopicTemplate template, String path, String problem) {
    return new TemplateException("invalid topic template " + TopicText.quote(template.toString())
        + ": field path '" + path + "': " + problem);
  }
}
