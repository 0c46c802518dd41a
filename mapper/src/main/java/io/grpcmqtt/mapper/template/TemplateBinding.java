package io.grpcmqtt.mapper.template;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link TopicTemplate} whose variables are checked against a request message type, so that
 * topics can be built from requests and requests filled in from topics.
 *
 * <p>Bindable leaves are singular {@code string}, integer ({@code int32}, {@code int64}, {@code
 * uint32}, {@code uint64}, {@code sint*}, {@code fixed*}, {@code sfixed*}), {@code bool} and enum
 * fields, reached through singular message fields; {@code **} needs a {@code string}. In topics
 * integers are canonical decimal (unsigned kinds unsigned), bools are {@code true}/{@code false}
 * and enums are value names. Instances are immutable and thread-safe.
 */
public final class TemplateBinding {
  private final TopicTemplate template;
  private final Descriptor requestType;
  private final Map<String, List<FieldDescriptor>> fieldPaths;

  private TemplateBinding(
      TopicTemplate template, Descriptor requestType, Map<String, List<FieldDescriptor>> fieldPaths) {
    this.template = template;
    this.requestType = requestType;
    this.fieldPaths = fieldPaths;
  }

  /**
   * Checks every variable of {@code template} against {@code requestType}.
   *
   * @throws TemplateException for a missing field, a path through a non-message, repeated or map
   *     field, a leaf that has no exact text form, or {@code **} on a non-string field
   */
  public static TemplateBinding compile(TopicTemplate template, Descriptor requestType) {
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(requestType, "requestType");
    Map<String, List<FieldDescriptor>> paths = new LinkedHashMap<>();
    for (Segment segment : template.segments()) {
      if (segment instanceof Segment.Variable variable) {
        paths.put(variable.fieldPath(), FieldPaths.resolve(template, variable, requestType));
      }
    }
    return new TemplateBinding(template, requestType, paths);
  }

  /** The template this binding was compiled from. */
  public TopicTemplate template() {
    return template;
  }

  /** The request message type the field paths were resolved in. */
  public Descriptor requestType() {
    return requestType;
  }

  /**
   * Builds the topic for {@code request}. Unset nested messages read as their defaults.
   *
   * @throws TemplateException when a bound string is empty, an enum number has no name, or the
   *     values break a rule of {@link TopicTemplate#expand}
   * @throws IllegalArgumentException when {@code request} is not of {@link #requestType()}
   */
  public String expand(MessageOrBuilder request) {
    checkType(request.getDescriptorForType());
    return template.expand(path -> text(request, path));
  }

  private String text(MessageOrBuilder request, String path) {
    List<FieldDescriptor> fields = fieldPaths.get(path);
    MessageOrBuilder message = request;
    for (FieldDescriptor field : fields.subList(0, fields.size() - 1)) {
      message = (MessageOrBuilder) message.getField(field);
    }
    FieldDescriptor leaf = fields.get(fields.size() - 1);
    Object value = message.getField(leaf);
    String text = ScalarText.format(leaf, value);
    if (text == null) {
      throw template.expandError("field '" + path + "' holds enum number "
          + ((EnumValueDescriptor) value).getNumber()
          + ", which has no name in " + leaf.getEnumType().getFullName());
    }
    return text;
  }

  /**
   * Fills {@code builder} from {@code topic} if the template matches it. Fields not in the
   * template are left alone; nothing is changed when the topic does not match or a value fails to
   * parse.
   *
   * @return whether the topic matched
   * @throws TemplateException when a matched level is not the text form of its field's type
   * @throws IllegalArgumentException when {@code builder} is not of {@link #requestType()}
   */
  public boolean bind(String topic, Message.Builder builder) {
    checkType(builder.getDescriptorForType());
    Optional<Map<String, String>> match = template.match(topic);
    if (match.isEmpty()) {
      return false;
    }
    // Parse everything before setting anything, so a bad value leaves the builder untouched.
    List<Runnable> sets = new ArrayList<>();
    match.get().forEach((path, text) -> {
      List<FieldDescriptor> fields = fieldPaths.get(path);
      Object value = parse(topic, path, fields.get(fields.size() - 1), text);
      sets.add(() -> set(builder, fields, 0, value));
    });
    sets.forEach(Runnable::run);
    return true;
  }

  private Object parse(String topic, String path, FieldDescriptor leaf, String text) {
    Object value = ScalarText.parse(leaf, text);
    if (value != null) {
      return value;
    }
    String problem;
    switch (leaf.getJavaType()) {
      case BOOLEAN:
        problem = "does not parse as bool (true or false expected)";
        break;
      case ENUM:
        problem = "does not name a value of enum " + leaf.getEnumType().getFullName();
        break;
      default:
        problem = "does not parse as " + FieldPaths.typeName(leaf) + " (canonical decimal expected)";
    }
    throw new TemplateException("cannot bind topic " + TopicText.quote(topic) + " to template "
        + TopicText.quote(template.toString()) + ": value " + TopicText.quote(text) + " of field '"
        + path + "' " + problem);
  }

  /**
   * Sets the leaf of {@code fields} below {@code builder}. Goes through fresh sub-builders rather
   * than {@code getFieldBuilder}, which {@code DynamicMessage} does not support.
   */
  private static void set(Message.Builder builder, List<FieldDescriptor> fields, int i, Object value) {
    FieldDescriptor field = fields.get(i);
    if (i == fields.size() - 1) {
      builder.setField(field, value);
      return;
    }
    Message.Builder child = builder.newBuilderForField(field).mergeFrom((Message) builder.getField(field));
    set(child, fields, i + 1, value);
    builder.setField(field, child.build());
  }

  private void checkType(Descriptor actual) {
    if (actual != requestType) {
      throw new IllegalArgumentException("topic template " + TopicText.quote(template.toString())
          + " is bound to " + requestType.getFullName() + ", not " + actual.getFullName());
    }
  }

  @Override
  public String toString() {
    return template + " for " + requestType.getFullName();
  }
}
