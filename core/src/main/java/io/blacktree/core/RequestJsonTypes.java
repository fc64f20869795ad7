package io.blacktree.core;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks the JSON types of a request before it is bound to {@link BuildRequest}: every field the record
 * declares as a string must be a JSON string, {@code build_args} an object of strings and {@code tags} an
 * array of strings. Jackson alone would turn {@code 123456789012} or {@code true} into text, and an
 * account number sent as a JSON number has already lost its leading zeros, so a wrong type is refused
 * rather than converted. An explicit {@code null} is a wrong type too: an absent optional field is left
 * out, not sent as null. The field names come from {@link BuildRequest}'s own {@link JsonProperty}
 * annotations, so a field added there is checked here without a second list.
 */
final class RequestJsonTypes {
  private static final List<RecordComponent> FIELDS = List.of(BuildRequest.class.getRecordComponents());

  private RequestJsonTypes() {}

  /** Every field of {@code body} whose JSON type is wrong, in the record's order; empty when all are right. */
  static List<Violation> check(JsonNode body) {
    List<Violation> violations = new ArrayList<>();
    for (RecordComponent field : FIELDS) {
      String name = field.getAccessor().getAnnotation(JsonProperty.class).value();
      if (!body.has(name)) {
        continue;
      }
      JsonNode value = body.get(name);
      if (field.getType() == String.class) {
        requireString(name, value, violations);
      } else if (field.getType() == Map.class) {
        requireStringMap(name, value, violations);
      } else if (field.getType() == List.class) {
        requireStringList(name, value, violations);
      } else {
        throw new IllegalStateException("BuildRequest." + field.getName() + " has a type this check does not know");
      }
    }
    return violations;
  }

  private static void requireString(String name, JsonNode value, List<Violation> violations) {
    if (!value.isTextual()) {
      violations.add(wrongType(name, value, "a string"));
    }
  }

  private static void requireStringMap(String name, JsonNode value, List<Violation> violations) {
    if (!value.isObject()) {
      violations.add(wrongType(name, value, "an object of strings"));
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> entries = value.fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      requireString(name + "." + entry.getKey(), entry.getValue(), violations);
    }
  }

  private static void requireStringList(String name, JsonNode value, List<Violation> violations) {
    if (!value.isArray()) {
      violations.add(wrongType(name, value, "an array of strings"));
      return;
    }
    for (int i = 0; i < value.size(); i++) {
      requireString(name + "[" + i + "]", value.get(i), violations);
    }
  }

  private static Violation wrongType(String name, JsonNode value, String expected) {
    return Violation.invalid(name, "has the wrong JSON type (" + typeName(value) + ", must be " + expected + ")");
  }

  private static String typeName(JsonNode value) {
    return switch (value.getNodeType()) {
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case STRING -> "a string";
      case BINARY, MISSING -> "not a JSON value";
    };
  }
}
