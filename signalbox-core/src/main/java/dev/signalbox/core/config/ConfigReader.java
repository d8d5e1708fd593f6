package dev.signalbox.core.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads and validates a gateway config: each part is bound to its record ({@link ConfigBinder})
 * item by item, then the whole is cross-checked ({@link CrossReferences}). Every problem is
 * reported at once, with its path, in one {@link ConfigException}.
 */
public final class ConfigReader {
  static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final List<String> TOP_LEVEL =
      List.of(
          "server",
          "auth",
          "limits",
          "database",
          "traces",
          "telemetry",
          "responses",
          "deployments",
          "models",
          "routes");

  private final PolicyTypes policies;
  private final Function<String, String> environment;
  private final boolean artifactsRequired;

  /**
   * @param policies the policies a route may name, and their settings' records
   * @param environment looks up environment variables (System::getenv outside tests)
   */
  public ConfigReader(PolicyTypes policies, Function<String, String> environment) {
    this(policies, environment, true);
  }

  private ConfigReader(
      PolicyTypes policies, Function<String, String> environment, boolean artifactsRequired) {
    this.policies = policies;
    this.environment = environment;
    this.artifactsRequired = artifactsRequired;
  }

  /**
   * A reader for routes that are fitted where they are read ({@code eval}, {@code train}): a
   * learned route's artifact need not exist yet.
   */
  public ConfigReader fittingLearnedRoutes() {
    return new ConfigReader(policies, environment, false);
  }

  public PolicyTypes policies() {
    return policies;
  }

  public GatewayConfig read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file.toString(), List.of("file not found"));
    } catch (IOException e) {
      throw new ConfigException(file.toString(), List.of("cannot read: " + e.getMessage()));
    }
    return read(text, file.toString());
  }

  public GatewayConfig read(String text, String source) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
      String message = e.getOriginalMessage();
      throw new ConfigException(
          source,
          List.of(
              where
                  + (message.startsWith("Duplicate field")
                      ? "duplicate key " + message.substring("Duplicate field ".length())
                      : "not valid YAML: " + message)));
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(
          source, List.of("expected a mapping with deployments, models and routes"));
    }
    List<String> problems = new ArrayList<>();
    ConfigBinder binder = new ConfigBinder(YAML, policies, problems);
    ServerSettings server =
        part(root, "server", ServerSettings.class, binder, ServerSettings.DEFAULT);
    AuthSettings auth = part(root, "auth", AuthSettings.class, binder, AuthSettings.NONE);
    TraceSettings traces = part(root, "traces", TraceSettings.class, binder, TraceSettings.DEFAULT);
    TelemetrySettings telemetry =
        part(root, "telemetry", TelemetrySettings.class, binder, TelemetrySettings.OFF);
    ResponsesSettings responses =
        part(root, "responses", ResponsesSettings.class, binder, ResponsesSettings.DEFAULT);
    LimitSettings limits = part(root, "limits", LimitSettings.class, binder, LimitSettings.NONE);
    DatabaseSettings database =
        part(root, "database", DatabaseSettings.class, binder, DatabaseSettings.NONE);
    database
        .passwordEnv()
        .filter(env -> environment.apply(env) == null)
        .ifPresent(
            env ->
                problems.add(
                    "database.password-env: environment variable '" + env + "' is not set"));
    Items<DeploymentSpec> deployments =
        items(root, "deployments", DeploymentSpec.class, binder, problems);
    Items<ModelSpec> models = items(root, "models", ModelSpec.class, binder, problems);
    Items<RouteSpec> routes = items(root, "routes", RouteSpec.class, binder, problems);
    root.fieldNames()
        .forEachRemaining(
            key -> {
              if (!TOP_LEVEL.contains(key)) {
                String near =
                    ConfigBinder.nearest(key, new LinkedHashSet<>(TOP_LEVEL))
                        .map(n -> ", did you mean '" + n + "'?")
                        .orElse("");
                problems.add(
                    key
                        + ": unknown key"
                        + near
                        + " (known: "
                        + String.join(", ", TOP_LEVEL)
                        + ")");
              }
            });
    if (!root.has("routes") && !root.has("models")) {
      problems.add("routes: missing (a config needs at least one model or route)");
    }
    new CrossReferences(
            deployments.bound,
            models.bound,
            routes.bound,
            new CrossReferences.Names(deployments.names, models.names, routes.names),
            problems)
        .check(artifactsRequired, environment, auth);
    if (auth.keys().isEmpty() && !server.loopbackOnly()) {
      problems.add(
          "server.host: '"
              + server.host()
              + "' is not loopback and auth.keys is empty;"
              + " add gateway keys or bind 127.0.0.1");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems);
    }
    return new GatewayConfig(
        server,
        auth,
        traces,
        telemetry,
        responses,
        limits,
        database,
        byName(deployments.bound, DeploymentSpec::name),
        byName(models.bound, ModelSpec::name),
        byName(routes.bound, RouteSpec::name),
        text,
        sha256(text));
  }

  private static <T> T part(
      JsonNode root, String key, Class<T> type, ConfigBinder binder, T fallback) {
    JsonNode node = root.path(key);
    if (node.isMissingNode() || node.isNull()) {
      node = JsonNodeFactory.instance.objectNode();
    }
    return binder.bind(node, type, key).orElse(fallback);
  }

  /** The items of a top-level list: those bound, by their index, and the names of all. */
  private record Items<T>(Map<Integer, T> bound, Set<String> names) {}

  private static <T> Items<T> items(
      JsonNode root, String key, Class<T> type, ConfigBinder binder, List<String> problems) {
    Items<T> items = new Items<>(new LinkedHashMap<>(), new LinkedHashSet<>());
    JsonNode list = root.path(key);
    if (list.isMissingNode() || list.isNull()) {
      return items;
    }
    if (!list.isArray()) {
      problems.add(key + ": expected a list, got " + ConfigBinder.kind(list));
      return items;
    }
    String what = key.substring(0, key.length() - 1);
    for (int i = 0; i < list.size(); i++) {
      String path = key + "[" + i + "]";
      JsonNode item = list.get(i);
      String name = item.path("name").isTextual() ? item.path("name").asText() : "";
      if (!name.isEmpty() && !items.names.add(name)) {
        problems.add(path + ".name: duplicate " + what + " name '" + name + "'");
        continue;
      }
      final int index = i;
      binder.bind(item, type, path).ifPresent(value -> items.bound.put(index, value));
    }
    return items;
  }

  private static <T> Map<String, T> byName(Map<Integer, T> items, Function<T, String> name) {
    Map<String, T> result = new LinkedHashMap<>();
    items.values().forEach(item -> result.put(name.apply(item), item));
    return result;
  }

  public static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
