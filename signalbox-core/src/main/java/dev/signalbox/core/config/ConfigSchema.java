package dev.signalbox.core.config;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A JSON Schema (draft 2020-12) of the whole config file, made from the same records and
 * annotations the reader binds with: keys, types, defaults, ranges, the values a key may take, and
 * for routes one variant per policy (its own keys beside the route's). Editors that read JSON
 * Schema (the YAML language server, IntelliJ) complete and check a config with it.
 */
public final class ConfigSchema {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String DURATION = "^\\d+(\\.\\d+)?(ms|s|m|h)$";

  private final PolicyTypes policies;
  private final ObjectNode definitions = JSON.objectNode();

  private ConfigSchema(PolicyTypes policies) {
    this.policies = policies;
  }

  /** The schema of a config whose routes may name any of {@code policies}. */
  public static ObjectNode of(PolicyTypes policies) {
    return new ConfigSchema(policies).build();
  }

  private ObjectNode build() {
    ObjectNode schema = JSON.objectNode();
    schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    schema.put("$id", "https://signalbox.dev/schema/config.json");
    schema.put("title", "Signalbox gateway config");
    schema.put("type", "object");
    schema.put("additionalProperties", false);
    ObjectNode properties = schema.putObject("properties");
    properties.set("server", reference(ServerSettings.class));
    properties.set("auth", reference(AuthSettings.class));
    properties.set("traces", reference(TraceSettings.class));
    properties.set("telemetry", reference(TelemetrySettings.class));
    properties.set("responses", reference(ResponsesSettings.class));
    properties.set("limits", reference(LimitSettings.class));
    properties.set("deployments", listOf(reference(DeploymentSpec.class)));
    properties.set("models", listOf(reference(ModelSpec.class)));
    properties.set("routes", listOf(routes()));
    schema.set("$defs", definitions);
    return schema;
  }

  private static ObjectNode listOf(JsonNode items) {
    ObjectNode list = JSON.objectNode().put("type", "array");
    list.set("items", items);
    return list;
  }

  /**
   * A route: one variant per policy, each the route's own keys and its policy's, the policy fixed
   * (a route that names none is a priority route).
   */
  private ObjectNode routes() {
    ArrayNode variants = JSON.arrayNode();
    for (String policy : policies.names()) {
      Class<? extends PolicySpec> spec = policies.specType(policy).orElseThrow();
      ObjectNode variant = record(RouteSpec.class);
      ObjectNode properties = (ObjectNode) variant.get("properties");
      ObjectNode selector = JSON.objectNode().put("const", policy);
      properties.set("policy", selector);
      addComponents(spec, properties, (ArrayNode) variant.get("required"));
      if (!policy.equals("priority")) {
        ((ArrayNode) variant.get("required")).add("policy");
      }
      variant.put("title", "a " + policy + " route");
      variants.add(variant);
    }
    ObjectNode route = JSON.objectNode();
    route.set("oneOf", variants);
    return route;
  }

  private ObjectNode reference(Class<?> record) {
    String name =
        record.getName().substring(record.getPackageName().length() + 1).replace('$', '.');
    if (!definitions.has(name)) {
      definitions.putObject(name);
      definitions.set(name, record(record));
    }
    return JSON.objectNode().put("$ref", "#/$defs/" + name);
  }

  private ObjectNode record(Class<?> record) {
    ObjectNode schema = JSON.objectNode().put("type", "object").put("additionalProperties", false);
    ObjectNode properties = schema.putObject("properties");
    ArrayNode required = schema.putArray("required");
    addComponents(record, properties, required);
    if (record.isAnnotationPresent(OneKey.class)) {
      schema.put("minProperties", 1).put("maxProperties", 1);
    }
    return schema;
  }

  private void addComponents(Class<?> record, ObjectNode properties, ArrayNode required) {
    for (RecordComponent component : record.getRecordComponents()) {
      if (component.isAnnotationPresent(Flattened.class)) {
        continue;
      }
      String key = ConfigBinder.key(component);
      ObjectNode property = type(component.getGenericType(), component);
      Default given = component.getAnnotation(Default.class);
      if (given != null) {
        property.set("default", parse(given.value()));
      }
      JsonPropertyDescription description =
          component.getAccessor().getAnnotation(JsonPropertyDescription.class);
      if (description != null) {
        property.put("description", description.value());
      }
      properties.set(key, property);
      if (given == null && !optional(component.getType())) {
        required.add(key);
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

  private ObjectNode type(Type type, RecordComponent component) {
    Class<?> raw = ConfigBinder.rawClass(type);
    if (raw == Optional.class) {
      return type(ConfigBinder.argument(type, 0), component);
    }
    if (raw == List.class || raw == Set.class) {
      ObjectNode list = listOf(type(ConfigBinder.argument(type, 0), component));
      if (raw == Set.class) {
        list.put("uniqueItems", true);
      }
      return list;
    }
    if (raw == Map.class) {
      ObjectNode map = JSON.objectNode().put("type", "object");
      map.set("additionalProperties", type(ConfigBinder.argument(type, 1), component));
      return map;
    }
    if (raw == ByteSize.class) {
      ObjectNode size = JSON.objectNode();
      size.putArray("type").add("integer").add("string");
      size.put("pattern", "^\\d+(\\.\\d+)?\\s*([kKmMgG]i?[bB]|[bB])?$");
      return size;
    }
    if (raw == CascadeSpec.JsonSchema.class || raw == JsonNode.class) {
      return JSON.objectNode().put("type", "object");
    }
    if (raw.isRecord()) {
      return reference(raw);
    }
    if (raw.isEnum()) {
      ObjectNode values = JSON.objectNode().put("type", "string");
      ArrayNode names = values.putArray("enum");
      for (Object constant : raw.getEnumConstants()) {
        names.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      return values;
    }
    ObjectNode scalar = JSON.objectNode();
    if (raw == boolean.class || raw == Boolean.class) {
      return scalar.put("type", "boolean");
    }
    if (raw == int.class
        || raw == Integer.class
        || raw == long.class
        || raw == Long.class
        || raw == OptionalInt.class
        || raw == OptionalLong.class) {
      return range(scalar.put("type", "integer"), component);
    }
    if (raw == double.class || raw == Double.class || raw == OptionalDouble.class) {
      return range(scalar.put("type", "number"), component);
    }
    if (raw == Duration.class) {
      return scalar.put("type", "string").put("pattern", DURATION);
    }
    if (raw == Pattern.class) {
      return scalar.put("type", "string").put("format", "regex");
    }
    scalar.put("type", "string");
    if (raw == URI.class || (component != null && component.isAnnotationPresent(HttpUrl.class))) {
      scalar.put("pattern", "^(https?://.*)?$");
    }
    if (raw == Path.class) {
      return scalar;
    }
    OneOf oneOf = component == null ? null : component.getAnnotation(OneOf.class);
    if (oneOf != null) {
      ArrayNode values = scalar.putArray("enum");
      for (String value : oneOf.value()) {
        values.add(value);
      }
    }
    return scalar;
  }

  private static ObjectNode range(ObjectNode scalar, RecordComponent component) {
    Range range = component == null ? null : component.getAnnotation(Range.class);
    if (range != null) {
      if (scalar.path("type").asText().equals("integer")) {
        scalar.put("minimum", (long) range.min()).put("maximum", (long) range.max());
      } else {
        scalar.put("minimum", range.min()).put("maximum", range.max());
      }
    }
    return scalar;
  }

  private static JsonNode parse(String text) {
    return ConfigBinder.parseDefault(text, ConfigReader.YAML);
  }
}
