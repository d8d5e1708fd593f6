package dev.signalbox.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YAML mapping being read, with its path. Every read that fails adds a problem and returns a
 * default, so that one pass over the file reports every problem at once.
 */
final class ConfigNode {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private final JsonNode node;
  private final String path;
  private final List<String> problems;
  private final Set<String> read = new TreeSet<>();

  ConfigNode(JsonNode node, String path, List<String> problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  String path() {
    return path;
  }

  String at(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  void problem(String key, String message) {
    problems.add(at(key) + ": " + message);
  }

  boolean has(String key) {
    read.add(key);
    return node.has(key) && !node.get(key).isNull();
  }

  /** Reports keys that no reader asked for; call after reading every key. */
  void rejectUnknownKeys() {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!read.contains(name)) {
        problems.add(at(name) + ": unknown key (known: " + String.join(", ", read) + ")");
      }
    }
  }

  Optional<String> optionalString(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    JsonNode value = node.get(key);
    if (!value.isValueNode()) {
      problem(key, "expected a string, got " + kind(value));
      return Optional.empty();
    }
    return Optional.of(value.asText());
  }

  String string(String key, String fallback) {
    return optionalString(key).orElse(fallback);
  }

  String requiredString(String key) {
    if (!has(key)) {
      problems.add(at(key) + ": missing");
      return "";
    }
    return optionalString(key).orElse("");
  }

  boolean bool(String key, boolean fallback) {
    if (!has(key)) {
      return fallback;
    }
    JsonNode value = node.get(key);
    if (!value.isBoolean()) {
      problem(key, "expected true or false, got " + value);
      return fallback;
    }
    return value.booleanValue();
  }

  Optional<Boolean> optionalBool(String key) {
    return has(key) ? Optional.of(bool(key, false)) : Optional.empty();
  }

  double number(String key, double fallback, double min, double max) {
    if (!has(key)) {
      return fallback;
    }
    JsonNode value = node.get(key);
    if (!value.isNumber()) {
      problem(key, "expected a number, got " + value);
      return fallback;
    }
    double number = value.doubleValue();
    if (!(number >= min && number <= max)) {
      problem(key, "must be between " + plain(min) + " and " + plain(max) + ", was " + value);
      return fallback;
    }
    return number;
  }

  long integer(String key, long fallback, long min, long max) {
    if (!has(key)) {
      return fallback;
    }
    JsonNode value = node.get(key);
    if (!value.canConvertToLong() || !value.isIntegralNumber()) {
      problem(key, "expected a whole number, got " + value);
      return fallback;
    }
    long number = value.longValue();
    if (number < min || number > max) {
      problem(key, "must be between " + min + " and " + max + ", was " + number);
      return fallback;
    }
    return number;
  }

  Duration duration(String key, Duration fallback) {
    if (!has(key)) {
      return fallback;
    }
    String text = node.get(key).asText();
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      problem(key, "expected a duration like 250ms, 2s, 1m or 1h, got '" + text + "'");
      return fallback;
    }
    double amount = Double.parseDouble(m.group(1));
    double millis =
        switch (m.group(2)) {
          case "ms" -> amount;
          case "s" -> amount * 1_000;
          case "m" -> amount * 60_000;
          default -> amount * 3_600_000;
        };
    if (millis <= 0) {
      problem(key, "must be positive, was '" + text + "'");
      return fallback;
    }
    return Duration.ofNanos((long) (millis * 1_000_000));
  }

  List<String> strings(String key) {
    return items(
        key,
        "a string",
        item -> item.isValueNode() && !item.isNull(),
        (item, path) -> item.asText());
  }

  Optional<ConfigNode> object(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    JsonNode value = node.get(key);
    if (!value.isObject()) {
      problem(key, "expected a mapping, got " + kind(value));
      return Optional.empty();
    }
    return Optional.of(new ConfigNode(value, at(key), problems));
  }

  /** The items of a list of mappings; items that are not mappings are reported and skipped. */
  List<ConfigNode> objects(String key) {
    return items(
        key, "a mapping", JsonNode::isObject, (item, path) -> new ConfigNode(item, path, problems));
  }

  private <T> List<T> items(
      String key, String expected, Predicate<JsonNode> fits, BiFunction<JsonNode, String, T> read) {
    List<T> result = new ArrayList<>();
    if (!has(key)) {
      return result;
    }
    JsonNode value = node.get(key);
    if (!value.isArray()) {
      problem(key, "expected a list, got " + kind(value));
      return result;
    }
    for (int i = 0; i < value.size(); i++) {
      JsonNode item = value.get(i);
      String itemPath = at(key) + "[" + i + "]";
      if (fits.test(item)) {
        result.add(read.apply(item, itemPath));
      } else {
        problems.add(itemPath + ": expected " + expected + ", got " + kind(item));
      }
    }
    return result;
  }

  /**
   * The value under {@code key} as it was written, for values the config passes on whole (a JSON
   * schema).
   */
  Optional<JsonNode> tree(String key) {
    return has(key) ? Optional.of(node.get(key)) : Optional.empty();
  }

  /** The keys of this mapping, each marked as read. */
  List<String> keys() {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    read.addAll(keys);
    return keys;
  }

  /** A mapping of names to numbers. */
  Map<String, Double> numbers(String key) {
    Map<String, Double> result = new LinkedHashMap<>();
    object(key)
        .ifPresent(
            map -> {
              Iterator<Map.Entry<String, JsonNode>> fields = map.node.fields();
              while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                map.read.add(field.getKey());
                if (!field.getValue().isNumber() || field.getValue().doubleValue() < 0) {
                  map.problem(
                      field.getKey(), "expected a number of at least 0, got " + field.getValue());
                } else {
                  result.put(field.getKey(), field.getValue().doubleValue());
                }
              }
            });
    return result;
  }

  private static String kind(JsonNode value) {
    if (value.isObject()) {
      return "a mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    return value.isNull() ? "nothing" : "'" + value.asText() + "'";
  }

  private static String plain(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
