package io.grpcmqtt.codegen;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON Schemas of messages in their proto3 JSON form, the form devices can read and write with
 * Content Type {@code application/json}. Messages become {@code $ref}s to {@code
 * #/components/schemas/<full name>}; {@link #all()} holds every message reached.
 */
final class JsonSchemas {
  private static final String REF = "#/components/schemas/";

  /** Full name to schema, sorted so documents are stable. */
  private final Map<String, Object> schemas = new TreeMap<>();

  /** A reference to the schema of {@code message}, adding it (and what it uses) if new. */
  Json.Obj ref(Descriptor message) {
    Json.Obj wellKnown = wellKnown(message);
    if (wellKnown != null) {
      return wellKnown;
    }
    if (!schemas.containsKey(message.getFullName())) {
      schemas.put(message.getFullName(), null); // reserve first: messages may be recursive
      schemas.put(message.getFullName(), object(message));
    }
    return Json.obj().with("$ref", REF + message.getFullName());
  }

  Map<String, Object> all() {
    return schemas;
  }

  private Json.Obj object(Descriptor message) {
    Json.Obj properties = Json.obj();
    for (FieldDescriptor field : message.getFields()) {
      properties.put(field.getJsonName(), field(field));
    }
    return Json.obj()
        .with("type", "object")
        .with("description", "proto3 JSON form of " + message.getFullName())
        .with("properties", properties);
  }

  private Object field(FieldDescriptor field) {
    if (field.isMapField()) {
      FieldDescriptor value = field.getMessageType().findFieldByName("value");
      return Json.obj().with("type", "object").with("additionalProperties", singular(value));
    }
    if (field.isRepeated()) {
      return Json.obj().with("type", "array").with("items", singular(field));
    }
    return singular(field);
  }

  private Json.Obj singular(FieldDescriptor field) {
    switch (field.getType()) {
      case STRING:
        return Json.obj().with("type", "string");
      case BYTES:
        return Json.obj().with("type", "string").with("contentEncoding", "base64");
      case BOOL:
        return Json.obj().with("type", "boolean");
      case FLOAT:
      case DOUBLE:
        return Json.obj().with("type", "number");
      case INT32:
      case SINT32:
      case SFIXED32:
        return Json.obj().with("type", "integer").with("format", "int32");
      case UINT32:
      case FIXED32:
        return Json.obj().with("type", "integer").with("format", "uint32");
      case INT64:
      case SINT64:
      case SFIXED64:
      case UINT64:
      case FIXED64:
        // proto3 JSON writes 64-bit integers as strings and reads both forms.
        return Json.obj().with("type", List.of("string", "integer"))
            .with("format", field.getType().name().toLowerCase(java.util.Locale.ROOT));
      case ENUM:
        List<String> names = new ArrayList<>();
        for (EnumValueDescriptor value : field.getEnumType().getValues()) {
          names.add(value.getName());
        }
        return Json.obj().with("type", "string").with("enum", names);
      default:
        return ref(field.getMessageType());
    }
  }

  /** The JSON forms proto3 gives well-known types, or null for an ordinary message. */
  private static Json.Obj wellKnown(Descriptor message) {
    switch (message.getFullName()) {
      case "google.protobuf.Timestamp":
        return Json.obj().with("type", "string").with("format", "date-time");
      case "google.protobuf.Duration":
        return Json.obj().with("type", "string").with("pattern", "^-?[0-9]+(\\.[0-9]+)?s$");
      case "google.protobuf.FieldMask":
        return Json.obj().with("type", "string");
      case "google.protobuf.Struct":
        return Json.obj().with("type", "object");
      case "google.protobuf.ListValue":
        return Json.obj().with("type", "array");
      case "google.protobuf.Value":
        return Json.obj();
      case "google.protobuf.Any":
        return Json.obj().with("type", "object").with("required", List.of("@type"));
      case "google.protobuf.StringValue":
        return Json.obj().with("type", "string");
      case "google.protobuf.BytesValue":
        return Json.obj().with("type", "string").with("contentEncoding", "base64");
      case "google.protobuf.BoolValue":
        return Json.obj().with("type", "boolean");
      case "google.protobuf.FloatValue":
      case "google.protobuf.DoubleValue":
        return Json.obj().with("type", "number");
      case "google.protobuf.Int32Value":
      case "google.protobuf.UInt32Value":
        return Json.obj().with("type", "integer");
      case "google.protobuf.Int64Value":
      case "google.protobuf.UInt64Value":
        return Json.obj().with("type", List.of("string", "integer"));
      default:
        return null;
    }
  }
}
