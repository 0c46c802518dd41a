package io.grpcmqtt.mapper.template;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;

/**
 * The one text form of each topic-bindable scalar, both ways.
 *
 * <p>Parsing accepts only what formatting produces (canonical decimal, {@code true}/{@code
 * false}, enum value names), so a topic and the request it came from always correspond one to one.
 */
final class ScalarText {
  private ScalarText() {}

  /**
   * Formats a value as returned by {@code getField}; returns null for an enum number without a
   * name, which has no text form.
   */
  static String format(FieldDescriptor field, Object value) {
    switch (field.getType()) {
      case STRING:
        return (String) value;
      case BOOL:
        return value.toString();
      case ENUM:
        EnumValueDescriptor enumValue = (EnumValueDescriptor) value;
        // Open enums hand back a placeholder descriptor for numbers the schema does not name.
        boolean known = enumValue.getType().findValueByNumber(enumValue.getNumber()) != null;
        return known ? enumValue.getName() : null;
      case UINT32:
      case FIXED32:
        return Integer.toUnsignedString((Integer) value);
      case UINT64:
      case FIXED64:
        return Long.toUnsignedString((Long) value);
      default:
        return value.toString();
    }
  }

  /**
   * Parses {@code text} into the Java type {@code setField} expects, or returns null when it is
   * not the canonical text of any value.
   */
  static Object parse(FieldDescriptor field, String text) {
    Object value;
    try {
      switch (field.getType()) {
        case STRING:
          return text;
        case BOOL:
          return text.equals("true") ? Boolean.TRUE : text.equals("false") ? Boolean.FALSE : null;
        case ENUM:
          return field.getEnumType().findValueByName(text);
        case INT32:
        case SINT32:
        case SFIXED32:
          value = Integer.parseInt(text);
          break;
        case UINT32:
        case FIXED32:
          value = Integer.parseUnsignedInt(text);
          break;
        case INT64:
        case SINT64:
        case SFIXED64:
          value = Long.parseLong(text);
          break;
        case UINT64:
        case FIXED64:
          value = Long.parseUnsignedLong(text);
          break;
        default:
          throw new IllegalArgumentException("not a topic-bindable field: " + field.getFullName());
      }
    } catch (NumberFormatException e) {
      return null;
    }
    // The JDK also takes "+1", "007", "-0" and non-ASCII digits; only the formatted form counts.
    return text.equals(format(field, value)) ? value : null;
  }
}
