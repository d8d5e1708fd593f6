package dev.signalbox.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.InjectableValues;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Binds a YAML tree to a config record with Jackson, after checking it against the record: its
 * components are the keys allowed there (kebab-case), their {@link Default}s fill what is left out,
 * and {@link Range}, {@link OneOf}, {@link HttpUrl}, enums, durations, sizes and patterns are
 * checked where they are written. Every problem is reported with its path, and the tree is repaired
 * so that checking and binding go on: a bad value with a default takes the default, a bad list item
 * or optional value is left out, and a bad required value makes its record unbindable, which its
 * parent treats the same way in turn. Values a record's constructor refuses ({@link ConfigProblem})
 * are reported by the bind.
 */
final class ConfigBinder {
  private static final PropertyNamingStrategies.NamingBase KEBAB =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.KEBAB_CASE;

  /** Records written as one value (a size, a JSON schema), read by their own parsers. */
  private static final Set<Class<?>> VALUE_TYPES =
      Set.of(ByteSize.class, CascadeSpec.JsonSchema.class);

  private final ObjectMapper mapper;
  private final ObjectMapper defaults;
  private final PolicyTypes policies;
  private final List<String> problems;
  private InjectableValues.Std injected = new InjectableValues.Std();

  ConfigBinder(ObjectMapper yaml, PolicyTypes policies, List<String> problems) {
    this.mapper = ConfigMapper.create();
    this.defaults = yaml;
    this.policies = policies;
    this.problems = problems;
  }

  /** The key a record component is written as. */
  static String key(RecordComponent component) {
    JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class);
    return property != null && !property.value().isEmpty()
        ? property.value()
        : KEBAB.translate(component.getName());
  }

  /** The record bound from {@code node}, or empty when a problem (reported) leaves none. */
  <T> Optional<T> bind(JsonNode node, Class<T> type, String path) {
    injected = new InjectableValues.Std();
    JsonNode checked = check(node, type, null, path);
    if (checked == null) {
      return Optional.empty();
    }
    return convert(checked, type, path);
  }

  private <T> Optional<T> convert(JsonNode checked, Class<T> type, String path) {
    try {
      return Optional.of(mapper.readerFor(type).with(injected).readValue(checked));
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause();
      StringBuilder at = new StringBuilder(path);
      e.getPath()
          .forEach(
              ref -> {
                if (ref.getIndex() >= 0) {
                  at.append('[').append(ref.getIndex()).append(']');
                } else if (ref.getFieldName() != null) {
                  at.append(at.isEmpty() ? "" : ".").append(ref.getFieldName());
                }
              });
      if (cause instanceof ConfigProblem problem) {
        report(join(at.toString(), problem.key()), problem.getMessage());
      } else if (cause instanceof IllegalArgumentException invalid) {
        report(at.toString(), invalid.getMessage());
      } else {
        report(at.toString(), "cannot be read: " + e.getOriginalMessage());
      }
      return Optional.empty();
    } catch (IOException e) {
      report(path, "cannot be read: " + e.getMessage());
      return Optional.empty();
    }
  }

  private void report(String path, String message) {
    problems.add(path + ": " + message);
  }

  private static String join(String path, String key) {
    if (key.isEmpty()) {
      return path;
    }
    return path.isEmpty() || key.startsWith("[") ? path + key : path + "." + key;
  }

  /**
   * Checks {@code node} against {@code type}; returns the value to bind (defaults filled in, bad
   * parts repaired or left out), or null when it has no usable value.
   */
  private JsonNode check(JsonNode node, Type type, RecordComponent component, String path) {
    Class<?> raw = rawClass(type);
    if (raw.isRecord() && !VALUE_TYPES.contains(raw)) {
      return checkRecord(node, raw, path);
    }
    if (raw == Optional.class) {
      return check(node, argument(type, 0), component, path);
    }
    if (raw == List.class || raw == Set.class) {
      return checkList(node, argument(type, 0), component, path);
    }
    if (raw == Map.class) {
      return checkMap(node, argument(type, 1), component, path);
    }
    return checkScalar(node, raw, component, path);
  }

  private JsonNode checkRecord(JsonNode node, Class<?> type, String path) {
    if (!node.isObject()) {
      report(path, "expected a mapping, got " + kind(node));
      return null;
    }
    RecordComponent[] components = type.getRecordComponents();
    if (type.isAnnotationPresent(OneKey.class)) {
      List<String> kinds = Arrays.stream(components).map(ConfigBinder::key).toList();
      List<String> given = new ArrayList<>();
      node.fieldNames().forEachRemaining(given::add);
      if (given.size() != 1 || !kinds.contains(given.get(0))) {
        report(path, "expected one of " + String.join(", ", kinds) + ", got " + given);
        return null;
      }
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    Set<String> known = new LinkedHashSet<>();
    boolean broken = false;
    RecordComponent flattened = null;
    for (RecordComponent component : components) {
      if (component.isAnnotationPresent(Flattened.class)) {
        flattened = component;
        continue;
      }
      String key = key(component);
      known.add(key);
      JsonNode value = node.get(key);
      JsonNode checked = null;
      if (value != null && !value.isNull()) {
        checked = check(value, component.getGenericType(), component, join(path, key));
      } else if (!component.isAnnotationPresent(Default.class) && !optional(component.getType())) {
        WhenMissing why = component.getAnnotation(WhenMissing.class);
        report(join(path, key), "missing" + (why == null ? "" : " (" + why.value() + ")"));
        broken = true;
        continue;
      }
      if (checked == null) {
        checked = defaultValue(component, join(path, key));
      }
      if (checked != null
          && selects(components, key)
          && policies.specType(checked.asText()).isEmpty()) {
        report(
            join(path, key),
            "unknown policy '"
                + checked.asText()
                + "' (known: "
                + String.join(", ", policies.names())
                + ")");
      }
      if (checked != null) {
        out.set(key, checked);
      } else if (!optional(component.getType())) {
        broken = true;
      }
    }
    Set<String> policyKeys = Set.of();
    if (flattened != null) {
      String selector = flattened.getAnnotation(Flattened.class).selector();
      Optional<PolicySpec> spec = flattenedSpec(node, out.path(selector).asText(), path);
      policyKeys = spec.map(s -> keys(s.getClass())).orElse(Set.of());
      if (spec.isPresent()) {
        injected.addValue(PolicySpec.class, spec.get());
      } else {
        broken = true;
      }
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name) && !policyKeys.contains(name)) {
        Set<String> allowed = new TreeSet<>(known);
        allowed.addAll(policyKeys);
        report(join(path, name), unknownKey(name, allowed, flattened != null));
      }
    }
    if (type.isAnnotationPresent(OneKey.class) && out.isEmpty()) {
      return null;
    }
    return broken ? null : out;
  }

  /**
   * The policy spec a route's own keys hold: those of the record its selector names, bound as that
   * record. An unknown policy is reported, and the route's other keys are checked as a priority
   * route's, so that one mistake does not hide the others.
   */
  private Optional<PolicySpec> flattenedSpec(JsonNode node, String policy, String path) {
    Optional<Class<? extends PolicySpec>> type = policies.specType(policy);
    if (type.isEmpty()) {
      type = policies.specType("priority");
      if (type.isEmpty()) {
        return Optional.empty();
      }
    }
    ObjectNode own = JsonNodeFactory.instance.objectNode();
    Set<String> keys = keys(type.get());
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      if (keys.contains(field.getKey())) {
        own.set(field.getKey(), field.getValue());
      }
    }
    InjectableValues.Std outer = injected;
    JsonNode checked = check(own, type.get(), null, path);
    injected = outer;
    if (checked == null) {
      return Optional.empty();
    }
    return convert(checked, type.get(), path).map(PolicySpec.class::cast);
  }

  /** Whether {@code key} is the selector of one of these components' flattened policy spec. */
  private static boolean selects(RecordComponent[] components, String key) {
    return Arrays.stream(components)
        .map(c -> c.getAnnotation(Flattened.class))
        .anyMatch(f -> f != null && f.selector().equals(key));
  }

  private static Set<String> keys(Class<?> record) {
    Set<String> keys = new LinkedHashSet<>();
    for (RecordComponent component : record.getRecordComponents()) {
      keys.add(key(component));
    }
    return keys;
  }

  private String unknownKey(String name, Set<String> allowed, boolean route) {
    if (route) {
      List<String> readers = new ArrayList<>();
      for (String policy : policies.names()) {
        policies
            .specType(policy)
            .filter(t -> keys(t).contains(name))
            .ifPresent(t -> readers.add(policy));
      }
      if (!readers.isEmpty()) {
        return "only a "
            + or(readers)
            + " route reads "
            + name
            + " (policy: "
            + String.join(" | ", readers)
            + ")";
      }
    }
    String known = " (known: " + String.join(", ", allowed) + ")";
    return nearest(name, allowed)
        .map(near -> "unknown key, did you mean '" + near + "'?" + known)
        .orElse("unknown key" + known);
  }

  private static String or(List<String> words) {
    if (words.size() == 1) {
      return words.get(0);
    }
    return String.join(", ", words.subList(0, words.size() - 1))
        + " or "
        + words.get(words.size() - 1);
  }

  /** The allowed key nearest to a misspelt one, when it is near enough to be what was meant. */
  static Optional<String> nearest(String name, Set<String> allowed) {
    return allowed.stream()
        .min(Comparator.comparingInt(a -> editDistance(name, a)))
        .filter(a -> editDistance(name, a) <= Math.max(1, Math.min(3, a.length() / 3)));
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** The component's default, checked like a written value; null when it has none. */
  private JsonNode defaultValue(RecordComponent component, String path) {
    Default given = component.getAnnotation(Default.class);
    if (given != null) {
      JsonNode value = parseDefault(given.value());
      JsonNode checked = check(value, component.getGenericType(), component, path);
      if (checked == null) {
        throw new IllegalStateException("the default of " + path + " is invalid: " + given.value());
      }
      return checked;
    }
    Class<?> type = component.getType();
    if (type == List.class || type == Set.class) {
      return JsonNodeFactory.instance.arrayNode();
    }
    if (type == Map.class) {
      return JsonNodeFactory.instance.objectNode();
    }
    return null;
  }

  private JsonNode parseDefault(String text) {
    return parseDefault(text, defaults);
  }

  private static final ObjectMapper JSON_DEFAULTS = new ObjectMapper();

  /**
   * A {@link Default}'s value as a tree: JSON where it is JSON ({@code 1e-6}, {@code [408, 409]}),
   * else YAML ({@code {median: 20}}), else the text itself.
   */
  static JsonNode parseDefault(String text, ObjectMapper yaml) {
    if (text.isEmpty()) {
      return TextNode.valueOf("");
    }
    try {
      return JSON_DEFAULTS.readTree(text);
    } catch (JacksonException notJson) {
      try {
        JsonNode node = yaml.readTree(text);
        return node == null || node.isMissingNode() ? TextNode.valueOf(text) : node;
      } catch (JacksonException e) {
        return TextNode.valueOf(text);
      }
    }
  }

  private static boolean optional(Class<?> type) {
    return type == Optional.class
        || type == OptionalDouble.class
        || type == OptionalInt.class
        || type == OptionalLong.class
        || type == List.class
        || type == Set.class
        || type == Map.class;
  }

  private JsonNode checkList(JsonNode node, Type item, RecordComponent component, String path) {
    if (!node.isArray()) {
      report(path, "expected a list, got " + kind(node));
      return null;
    }
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < node.size(); i++) {
      JsonNode checked = check(node.get(i), item, component, path + "[" + i + "]");
      if (checked != null) {
        out.add(checked);
      }
    }
    return out;
  }

  private JsonNode checkMap(JsonNode node, Type value, RecordComponent component, String path) {
    if (!node.isObject()) {
      report(path, "expected a mapping, got " + kind(node));
      return null;
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      JsonNode checked = check(field.getValue(), value, component, join(path, field.getKey()));
      if (checked != null) {
        out.set(field.getKey(), checked);
      }
    }
    return out;
  }

  private JsonNode checkScalar(
      JsonNode node, Class<?> type, RecordComponent component, String path) {
    if (type == JsonNode.class) {
      return node;
    }
    if (type == CascadeSpec.JsonSchema.class) {
      try {
        CascadeSpec.JsonSchema.of(node);
        return node;
      } catch (IllegalArgumentException e) {
        report(path, e.getMessage());
        return null;
      }
    }
    if (type == boolean.class || type == Boolean.class) {
      if (!node.isBoolean()) {
        report(path, "expected true or false, got " + node);
        return null;
      }
      return node;
    }
    if (type == int.class
        || type == Integer.class
        || type == long.class
        || type == Long.class
        || type == OptionalInt.class
        || type == OptionalLong.class) {
      return checkNumber(node, component, path, true);
    }
    if (type == double.class || type == Double.class || type == OptionalDouble.class) {
      return checkNumber(node, component, path, false);
    }
    if (node.isContainerNode()) {
      report(path, "expected " + (type.isEnum() ? "a name" : "a string") + ", got " + kind(node));
      return null;
    }
    String text = node.asText();
    if (type.isEnum()) {
      return checkEnum(text, type, path);
    }
    try {
      if (type == Duration.class) {
        Durations.parse(text);
      } else if (type == ByteSize.class) {
        ByteSize.parse(text);
      } else if (type == Pattern.class) {
        Pattern.compile(text);
      } else if (type != String.class && type != Path.class && type != URI.class) {
        throw new IllegalStateException("no config type " + type.getName() + " at " + path);
      }
    } catch (PatternSyntaxException e) {
      report(path, "not a valid regular expression: " + e.getDescription());
      return null;
    } catch (IllegalArgumentException e) {
      report(path, e.getMessage());
      return null;
    }
    if (component != null && component.isAnnotationPresent(HttpUrl.class)) {
      if (!text.isEmpty() && !text.startsWith("http://") && !text.startsWith("https://")) {
        report(path, "expected an http:// or https:// URL, got '" + text + "'");
        return null;
      }
    }
    OneOf oneOf = component == null ? null : component.getAnnotation(OneOf.class);
    if (oneOf != null && !Arrays.asList(oneOf.value()).contains(text)) {
      report(
          path,
          "unknown "
              + noun(path)
              + " '"
              + text
              + "' (known: "
              + String.join(", ", oneOf.value())
              + ")");
      return null;
    }
    return TextNode.valueOf(text);
  }

  private JsonNode checkNumber(
      JsonNode node, RecordComponent component, String path, boolean whole) {
    JsonNode number = node;
    if (node.isTextual()) {
      // YAML 1.1 reads 1e-6 as text; a number is meant.
      try {
        number = JsonNodeFactory.instance.numberNode(Double.parseDouble(node.asText()));
      } catch (NumberFormatException e) {
        number = node;
      }
    }
    if (!number.isNumber()
        || (whole && !(number.isIntegralNumber() && number.canConvertToLong()))) {
      report(path, "expected " + (whole ? "a whole number" : "a number") + ", got " + node);
      return null;
    }
    Range range = component == null ? null : component.getAnnotation(Range.class);
    double value = number.doubleValue();
    if (range != null && !(value >= range.min() && value <= range.max())) {
      report(
          path,
          "must be between "
              + plain(range.min())
              + " and "
              + plain(range.max())
              + ", was "
              + (whole ? Long.toString(number.longValue()) : number.toString()));
      return null;
    }
    return number;
  }

  private JsonNode checkEnum(String text, Class<?> type, String path) {
    List<String> known = new ArrayList<>();
    for (Object constant : type.getEnumConstants()) {
      String name = ((Enum<?>) constant).name();
      String kebab = name.toLowerCase(Locale.ROOT).replace('_', '-');
      if (kebab.equals(text)) {
        return TextNode.valueOf(name);
      }
      known.add(kebab);
    }
    report(
        path,
        "unknown " + noun(path) + " '" + text + "' (known: " + String.join(", ", known) + ")");
    return null;
  }

  /** What a value at {@code path} is called: its key, made singular for a list's items. */
  private static String noun(String path) {
    String last = path.substring(path.lastIndexOf('.') + 1);
    if (!last.endsWith("]")) {
      return last;
    }
    String list = last.substring(0, last.indexOf('['));
    if (list.endsWith("ies")) {
      return list.substring(0, list.length() - 3) + "y";
    }
    return list.endsWith("s") ? list.substring(0, list.length() - 1) : list;
  }

  static String kind(JsonNode value) {
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

  static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    throw new IllegalStateException("unsupported config type " + type);
  }

  static Type argument(Type type, int index) {
    return ((ParameterizedType) type).getActualTypeArguments()[index];
  }
}
