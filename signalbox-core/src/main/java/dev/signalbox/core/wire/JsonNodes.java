package dev.signalbox.core.wire;

import com.fasterxml.jackson.databind.JsonNode;

/** How the wire records describe the values they refuse, in OpenAI's words. */
final class JsonNodes {
  private JsonNodes() {}

  static boolean present(JsonNode node) {
    return !node.isMissingNode() && !node.isNull();
  }

  /**
   * The text of {@code key} in {@code node}; refused, at {@code at.key}, when absent or not text.
   */
  static String requiredText(JsonNode node, String key, String at) {
    JsonNode value = node.path(key);
    String where = at.isEmpty() ? key : at + "." + key;
    if (!present(value)) {
      throw WireProblem.missing(where);
    }
    if (!value.isTextual()) {
      throw WireProblem.invalidType(where, "a string", describe(value));
    }
    return value.asText();
  }

  static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return node.isIntegralNumber() ? "an integer" : "a decimal";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isObject()) {
      return "an object";
    }
    return "null";
  }

  /** A number as a person writes it: 3, not 3.0. */
  static String plain(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }
}
