package dev.signalbox.core.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.signalbox.api.Pricing;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads and validates a gateway config. One pass collects every problem with its path, then
 * cross-references names; {@link ConfigException} carries them all.
 */
public final class ConfigReader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Set<String> knownPolicies;
  private final Function<String, String> environment;
  private final boolean artifactsRequired;

  /**
   * @param knownPolicies the registered policy names
   * @param environment looks up environment variables (System::getenv outside tests)
   */
  public ConfigReader(Set<String> knownPolicies, Function<String, String> environment) {
    this(knownPolicies, environment, true);
  }

  private ConfigReader(
      Set<String> knownPolicies, Function<String, String> environment, boolean artifactsRequired) {
    this.knownPolicies = Set.copyOf(knownPolicies);
    this.environment = environment;
    this.artifactsRequired = artifactsRequired;
  }

  /**
   * A reader for routes that are fitted where they are read ({@code eval}, {@code train}): a
   * learned route's artifact need not exist yet.
   */
  public ConfigReader fittingLearnedRoutes() {
    return new ConfigReader(knownPolicies, environment, false);
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
      throw new ConfigException(
          source, List.of(where + "not valid YAML: " + e.getOriginalMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(
          source, List.of("expected a mapping with deployments, models and routes"));
    }
    List<String> problems = new ArrayList<>();
    ConfigNode top = new ConfigNode(root, "", problems);
    ServerSettings server = top.object("server").map(this::server).orElse(ServerSettings.DEFAULT);
    AuthSettings auth = top.object("auth").map(this::auth).orElse(AuthSettings.NONE);
    TraceSettings traces = top.object("traces").map(this::traces).orElse(TraceSettings.DEFAULT);
    Map<String, DeploymentSpec> deployments = named(top, "deployments", this::deployment);
    Map<String, ModelSpec> models = named(top, "models", this::model);
    Map<String, RouteSpec> routes = named(top, "routes", this::route);
    top.rejectUnknownKeys();
    if (!top.has("routes") && !top.has("models")) {
      problems.add("routes: missing (a config needs at least one model or route)");
    }
    new CrossReferences(deployments, models, routes, problems).check();
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
    return new GatewayConfig(server, auth, traces, deployments, models, routes, text, sha256(text));
  }

  private interface ItemReader<T> {
    T read(ConfigNode node, String name);
  }

  private static <T> Map<String, T> named(ConfigNode top, String key, ItemReader<T> reader) {
    Map<String, T> result = new LinkedHashMap<>();
    for (ConfigNode item : top.objects(key)) {
      String name = item.requiredString("name");
      T value = reader.read(item, name);
      item.rejectUnknownKeys();
      if (name.isEmpty()) {
        continue;
      }
      if (result.containsKey(name)) {
        item.problem(
            "name", "duplicate " + key.substring(0, key.length() - 1) + " name '" + name + "'");
      } else {
        result.put(name, value);
      }
    }
    return result;
  }

  private ServerSettings server(ConfigNode node) {
    ServerSettings d = ServerSettings.DEFAULT;
    ServerSettings result =
        new ServerSettings(
            node.string("host", d.host()),
            (int) node.integer("port", d.port(), 0, 65_535),
            node.integer("max-body-bytes", d.maxBodyBytes(), 1_024, 1L << 30),
            node.bool("access-log", d.accessLog()),
            (int) node.integer("max-connections", d.maxConnections(), 1, 1_000_000),
            (int) node.integer("max-in-flight", d.maxInFlight(), 1, 1_000_000));
    node.rejectUnknownKeys();
    return result;
  }

  private AuthSettings auth(ConfigNode node) {
    List<GatewayKey> keys = new ArrayList<>();
    Set<String> digests = new LinkedHashSet<>();
    for (ConfigNode key : node.objects("keys")) {
      String name = key.requiredString("name");
      String digest = digest(key, "key-sha256", true).orElse("");
      if (!digest.isEmpty() && !digests.add(digest)) {
        key.problem("key-sha256", "the same key is listed twice");
      }
      keys.add(
          new GatewayKey(
              name, digest, key.string("tenant", name), Set.copyOf(key.strings("routes"))));
      key.rejectUnknownKeys();
    }
    Optional<String> admin = digest(node, "admin-key-sha256", false);
    node.rejectUnknownKeys();
    return new AuthSettings(keys, admin);
  }

  private static Optional<String> digest(ConfigNode node, String key, boolean required) {
    Optional<String> value =
        required ? Optional.of(node.requiredString(key)) : node.optionalString(key);
    if (value.isPresent() && !value.get().isEmpty() && !SHA256.matcher(value.get()).matches()) {
      node.problem(
          key,
          "expected 64 lower-case hex digits (sha256sum of the key), got "
              + value.get().length()
              + " characters");
      return Optional.empty();
    }
    return value.filter(v -> !v.isEmpty());
  }

  private TraceSettings traces(ConfigNode node) {
    TraceSettings d = TraceSettings.DEFAULT;
    TraceSettings result =
        new TraceSettings(
            node.bool("enabled", d.enabled()),
            Path.of(node.string("path", d.path().toString())),
            (int) node.integer("queue-capacity", d.queueCapacity(), 1, 10_000_000),
            node.bool("record-prompts", d.recordPrompts()),
            node.bool("record-answers", d.recordAnswers()));
    node.rejectUnknownKeys();
    return result;
  }

  private DeploymentSpec deployment(ConfigNode node, String name) {
    String providerText = node.requiredString("provider");
    Provider provider =
        parseEnum(node, "provider", providerText, Provider.class).orElse(Provider.SIM);
    String baseUrl = node.string("base-url", "");
    String upstreamModel = node.string("model", name);
    Optional<String> apiKeyEnv = node.optionalString("api-key-env");
    Optional<Path> replayFrom = node.optionalString("replay-from").map(Path::of);
    if (provider == Provider.REPLAY) {
      if (replayFrom.isEmpty()) {
        node.problem(
            "replay-from",
            "missing (a replay deployment answers from an outcomes file or a trace store)");
      } else if (!Files.isRegularFile(replayFrom.get())) {
        node.problem("replay-from", "no such file: " + replayFrom.get());
      }
    } else if (replayFrom.isPresent()) {
      node.problem(
          "replay-from", "only a replay deployment answers from a recording (provider: replay)");
    }
    if (provider != Provider.SIM && provider != Provider.REPLAY && baseUrl.isEmpty()) {
      node.problem("base-url", "missing (needed by provider " + providerText + ")");
    }
    if (!baseUrl.isEmpty() && !baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
      node.problem("base-url", "expected an http:// or https:// URL, got '" + baseUrl + "'");
    }
    apiKeyEnv.ifPresent(
        env -> {
          if (environment.apply(env) == null) {
            node.problem("api-key-env", "environment variable '" + env + "' is not set");
          }
        });
    SimSettings sim = node.object("sim").map(ConfigReader::sim).orElse(SimSettings.DEFAULT);
    return new DeploymentSpec(
        name,
        provider,
        baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl,
        upstreamModel,
        apiKeyEnv,
        node.duration("connect-timeout", Duration.ofSeconds(5)),
        node.duration("first-token-timeout", Duration.ofSeconds(30)),
        node.duration("idle-timeout", Duration.ofSeconds(30)),
        node.duration("request-timeout", Duration.ofSeconds(300)),
        node.number("weight", 1, 0, 1e6),
        sim,
        replayFrom,
        node.object("breaker").map(ConfigReader::breaker).orElse(BreakerSpec.DEFAULT),
        url(node, "metrics-url"),
        node.duration("metrics-interval", Duration.ofSeconds(2)),
        url(node, "health-check-url"),
        node.duration("health-check-interval", Duration.ofSeconds(10)));
  }

  private static Optional<URI> url(ConfigNode node, String key) {
    Optional<String> url = node.optionalString(key);
    if (url.isPresent() && !url.get().startsWith("http://") && !url.get().startsWith("https://")) {
      node.problem(key, "expected an http:// or https:// URL, got '" + url.get() + "'");
      return Optional.empty();
    }
    return url.map(URI::create);
  }

  private static BreakerSpec breaker(ConfigNode node) {
    BreakerSpec d = BreakerSpec.DEFAULT;
    BreakerSpec result =
        new BreakerSpec(
            (int) node.integer("consecutive-failures", d.consecutiveFailures(), 1, 1_000_000),
            node.number("error-rate", d.errorRate(), 0.01, 1),
            (int) node.integer("min-requests", d.minRequests(), 1, 1_000_000),
            node.duration("window", d.window()),
            node.duration("cooldown", d.cooldown()),
            (int) node.integer("half-open-probes", d.halfOpenProbes(), 1, 1_000));
    node.rejectUnknownKeys();
    return result;
  }

  private static SimSettings sim(ConfigNode node) {
    SimSettings d = SimSettings.DEFAULT;
    SimSettings result =
        new SimSettings(
            node.object("time-to-first-token-ms")
                .map(n -> distribution(n, d.timeToFirstTokenMillis()))
                .orElse(d.timeToFirstTokenMillis()),
            node.object("ms-per-token")
                .map(n -> distribution(n, d.millisPerToken()))
                .orElse(d.millisPerToken()),
            node.object("output-tokens")
                .map(n -> distribution(n, d.outputTokens()))
                .orElse(d.outputTokens()),
            node.number("error-rate", 0, 0, 1),
            node.number("rate-limit-rate", 0, 0, 1),
            node.duration("retry-after", d.retryAfter()),
            node.number("timeout-rate", 0, 0, 1),
            node.number("cut-rate", 0, 0, 1),
            node.string("answer", d.answer()),
            (int) node.integer("max-concurrency", 0, 0, 1_000_000));
    node.rejectUnknownKeys();
    return result;
  }

  private static Distribution distribution(ConfigNode node, Distribution fallback) {
    double median = node.number("median", fallback.median(), 0, 1e9);
    double p99 = node.number("p99", Math.max(median, fallback.p99()), 0, 1e9);
    node.rejectUnknownKeys();
    if (p99 < median) {
      node.problem("p99", "must be at least the median (" + median + "), was " + p99);
      return Distribution.constant(median);
    }
    return new Distribution(median, p99);
  }

  private ModelSpec model(ConfigNode node, String name) {
    List<String> deployments = node.strings("deployments");
    if (deployments.isEmpty()) {
      node.problem("deployments", "a model needs at least one deployment");
    }
    ModelSpec.SelectorKind selector =
        parseEnum(
                node,
                "deployment-selector",
                node.string("deployment-selector", "priority"),
                ModelSpec.SelectorKind.class)
            .orElse(ModelSpec.SelectorKind.PRIORITY);
    Pricing pricing = node.object("pricing").map(ConfigReader::pricing).orElse(Pricing.FREE);
    Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
    List<String> capabilityNames = node.strings("capabilities");
    for (int i = 0; i < capabilityNames.size(); i++) {
      String text = capabilityNames.get(i);
      Optional<Capability> capability =
          Arrays.stream(Capability.values()).filter(c -> c.key().equals(text)).findFirst();
      if (capability.isPresent()) {
        capabilities.add(capability.get());
      } else {
        node.problem(
            "capabilities[" + i + "]",
            "unknown capability '"
                + text
                + "' (known: tools, vision, json-schema, assistant-prefill)");
      }
    }
    return new ModelSpec(
        name,
        deployments,
        selector,
        pricing,
        (int) node.integer("context-window", 8_192, 1, 100_000_000),
        capabilities,
        node.number("joules-per-token", 0, 0, 1e6));
  }

  private static Pricing pricing(ConfigNode node) {
    double input = node.number("input", 0, 0, 1e6);
    Pricing result =
        new Pricing(
            input, node.number("cached-input", input, 0, 1e6), node.number("output", 0, 0, 1e6));
    node.rejectUnknownKeys();
    return result;
  }

  private RouteSpec route(ConfigNode node, String name) {
    String policy = node.string("policy", "priority");
    if (!knownPolicies.contains(policy)) {
      node.problem(
          "policy",
          "unknown policy '"
              + policy
              + "' (known: "
              + String.join(", ", new TreeSet<>(knownPolicies))
              + ")");
    }
    List<RuleSpec> rules = new ArrayList<>();
    List<ConfigNode> ruleNodes = node.objects("rules");
    for (int i = 0; i < ruleNodes.size(); i++) {
      rules.add(rule(ruleNodes.get(i), i));
    }
    Set<Integer> fallbackOn = new LinkedHashSet<>();
    if (node.has("fallback-on")) {
      List<String> statuses = node.strings("fallback-on");
      for (int i = 0; i < statuses.size(); i++) {
        try {
          int status = Integer.parseInt(statuses.get(i));
          if (status < 400 || status > 599) {
            throw new NumberFormatException();
          }
          fallbackOn.add(status);
        } catch (NumberFormatException e) {
          node.problem(
              "fallback-on[" + i + "]",
              "expected an HTTP status from 400 to 599, got '" + statuses.get(i) + "'");
        }
      }
    } else {
      fallbackOn.addAll(RouteSpec.DEFAULT_FALLBACK_ON);
    }
    LearningSpec learning = learning(node, policy, artifactsRequired);
    for (int i = 0; i < rules.size(); i++) {
      if (!rules.get(i).domains().isEmpty() && learning.domains().isEmpty()) {
        node.problem(
            "rules[" + i + "].domain",
            "the route classifies no domains: give it domains: {exemplars: {...}}");
      }
    }
    return new RouteSpec(
        name,
        node.strings("models"),
        policy,
        node.numbers("weights"),
        rules,
        node.string("default", ""),
        node.strings("fallbacks"),
        fallbackOn,
        node.duration("timeout", Duration.ofSeconds(600)),
        (int) node.integer("max-attempts", 0, 0, 100),
        (int) node.integer("default-max-tokens", RouteSpec.DEFAULT_MAX_TOKENS, 1, 10_000_000),
        node.object("threshold").map(t -> threshold(t, policy)),
        parseEnum(
                node,
                "fallback-order",
                node.string("fallback-order", "plan"),
                RouteSpec.FallbackOrder.class)
            .orElse(RouteSpec.FallbackOrder.PLAN),
        node.object("slo").map(ConfigReader::slo).orElse(SloSpec.NONE),
        node.object("hedge").map(ConfigReader::hedge),
        node.bool("continue-streams", false),
        learning,
        sessions(node),
        cascade(node, policy, node.strings("models").size()));
  }

  /** The name of the cascade policy, the one route kind that reads {@code cascade:}. */
  public static final String CASCADE = "cascade";

  private static CascadeSpec cascade(ConfigNode route, String policy, int models) {
    if (!policy.equals(CASCADE)) {
      if (route.has("cascade")) {
        route.problem("cascade", "only a cascade route reads cascade (policy: cascade)");
      }
      return CascadeSpec.NONE;
    }
    if (models < 2) {
      route.problem(
          "models",
          "a cascade needs two models or more: the cheapest answers first, the last one when checks"
              + " fail");
    }
    Optional<ConfigNode> found = route.object("cascade");
    if (found.isEmpty()) {
      route.problem(
          "cascade",
          "missing (a cascade route names its checks: cascade: {checks: [{regex: ...}]})");
      return CascadeSpec.NONE;
    }
    ConfigNode node = found.get();
    int samples = (int) node.integer("samples", 1, 1, 16);
    OptionalDouble temperature =
        node.has("sample-temperature")
            ? OptionalDouble.of(node.number("sample-temperature", 1, 0, 2))
            : OptionalDouble.empty();
    List<CascadeSpec.Check> checks = new ArrayList<>();
    List<ConfigNode> items = node.objects("checks");
    for (int i = 0; i < items.size(); i++) {
      check(items.get(i), "checks[" + i + "]", samples, node).ifPresent(checks::add);
    }
    if (items.isEmpty()) {
      node.problem("checks", "missing (known checks: " + String.join(", ", CASCADE_CHECKS) + ")");
    }
    node.rejectUnknownKeys();
    return new CascadeSpec(samples, temperature, checks);
  }

  private static final List<String> CASCADE_CHECKS =
      List.of("agreement", "regex", "arithmetic", "json-schema", "logprobs");

  private static Optional<CascadeSpec.Check> check(
      ConfigNode item, String at, int samples, ConfigNode cascade) {
    List<String> kinds = item.keys();
    if (kinds.size() != 1 || !CASCADE_CHECKS.contains(kinds.get(0))) {
      cascade.problem(
          at, "expected one of " + String.join(", ", CASCADE_CHECKS) + ", got " + kinds);
      return Optional.empty();
    }
    String kind = kinds.get(0);
    return switch (kind) {
      case "regex" ->
          item.optionalString("regex")
              .flatMap(text -> compiled(item, "regex", text))
              .map(CascadeSpec.Matches::new);
      case "json-schema" -> {
        Optional<JsonNode> schema = item.tree("json-schema");
        if (schema.isEmpty() || !schema.get().isObject()) {
          item.problem("json-schema", "expected a JSON schema (a mapping)");
          yield Optional.empty();
        }
        try {
          yield Optional.of(CascadeSpec.JsonSchema.of(schema.get()));
        } catch (IllegalArgumentException e) {
          item.problem("json-schema", e.getMessage());
          yield Optional.empty();
        }
      }
      default -> {
        ConfigNode settings = item.object(kind).orElse(null);
        if (settings == null) {
          yield Optional.empty();
        }
        CascadeSpec.Check check =
            switch (kind) {
              case "agreement" -> {
                if (samples < 2) {
                  cascade.problem(
                      "samples", "an agreement check compares samples: set samples to 2 or more");
                }
                yield new CascadeSpec.Agreement(
                    settings.number("min-share", 0.5, 0, 1),
                    settings
                        .optionalString("answer")
                        .flatMap(text -> compiled(settings, "answer", text)));
              }
              case "arithmetic" ->
                  new CascadeSpec.Arithmetic(settings.number("tolerance", 1e-6, 0, 1));
              default -> new CascadeSpec.LogProbs(settings.number("min-mean", -0.5, -1e6, 0));
            };
        settings.rejectUnknownKeys();
        yield Optional.of(check);
      }
    };
  }

  private static Optional<Pattern> compiled(ConfigNode node, String key, String text) {
    try {
      return Optional.of(Pattern.compile(text, Pattern.MULTILINE));
    } catch (PatternSyntaxException e) {
      node.problem(key, "not a valid regular expression: " + e.getDescription());
      return Optional.empty();
    }
  }

  /** The policies that read a {@code scorer}, an {@code artifact} and the embedding. */
  public static final Set<String> LEARNED_POLICIES = Set.of("threshold", "objective", "bandit");

  private static LearningSpec learning(ConfigNode node, String policy, boolean artifactsRequired) {
    boolean learned = LEARNED_POLICIES.contains(policy);
    for (String key : List.of("scorer", "embed", "artifact", "objective", "bandit")) {
      if (node.has(key) && !learned) {
        node.problem(
            key,
            "only a learned policy ("
                + String.join(", ", new TreeSet<>(LEARNED_POLICIES))
                + ") reads "
                + key);
      }
    }
    LearningSpec.ScorerSpec scorer =
        node.object("scorer").map(ConfigReader::scorer).orElse(LearningSpec.ScorerSpec.DEFAULT);
    String embed = node.string("embed", "last-user");
    if (!List.of("last-user", "user", "conversation").contains(embed)) {
      node.problem("embed", "unknown part '" + embed + "' (known: last-user, user, conversation)");
    }
    Optional<Path> artifact = node.optionalString("artifact").map(Path::of);
    if (artifact.isPresent() && artifactsRequired && !Files.isRegularFile(artifact.get())) {
      node.problem(
          "artifact", "no such file: " + artifact.get() + " (write one with ./signalbox train)");
    }
    if (learned && artifact.isEmpty() && artifactsRequired) {
      node.problem(
          "artifact",
          "missing (a "
              + policy
              + " route serves from a trained artifact: ./signalbox train ... --out FILE)");
    }
    ObjectiveSpec objective =
        node.object("objective").map(ConfigReader::objective).orElse(ObjectiveSpec.BALANCED);
    BanditSpec bandit = node.object("bandit").map(ConfigReader::bandit).orElse(BanditSpec.DEFAULT);
    Optional<DomainSpec> domains = node.object("domains").map(ConfigReader::domains);
    if (domains.isPresent() && !policy.equals("rules")) {
      node.problem(
          "domains",
          "only a rules route classifies domains (its rules match them with domain: [...])");
    }
    return new LearningSpec(scorer, embed, artifact, objective, bandit, domains);
  }

  private static DomainSpec domains(ConfigNode node) {
    Map<String, List<String>> exemplars = new LinkedHashMap<>();
    node.object("exemplars")
        .ifPresent(
            map ->
                map.keys()
                    .forEach(
                        domain -> {
                          List<String> examples = map.strings(domain);
                          if (examples.isEmpty()) {
                            map.problem(domain, "expected a list of example prompts");
                          }
                          exemplars.put(domain, examples);
                        }));
    if (exemplars.isEmpty()) {
      node.problem(
          "exemplars",
          "missing (a domain classifier needs example prompts per domain: {code: [...], math:"
              + " [...]})");
    }
    DomainSpec result =
        new DomainSpec(
            (int) node.integer("k", 5, 1, 1000),
            node.number("min-confidence", 0.5, 0, 1),
            exemplars);
    node.rejectUnknownKeys();
    return result;
  }

  private static LearningSpec.ScorerSpec scorer(ConfigNode node) {
    LearningSpec.ScorerSpec d = LearningSpec.ScorerSpec.DEFAULT;
    String kind = node.string("kind", d.kind());
    if (!List.of("knn", "mf", "logistic").contains(kind)) {
      node.problem("kind", "unknown scorer '" + kind + "' (known: knn, mf, logistic)");
    }
    LearningSpec.ScorerSpec result =
        new LearningSpec.ScorerSpec(
            kind,
            (int) node.integer("k", d.k(), 1, 10_000),
            node.number("smoothing", d.smoothing(), 0, 1e6),
            (int) node.integer("latent", d.latent(), 1, 1024),
            (int) node.integer("epochs", d.epochs(), 1, 1000));
    node.rejectUnknownKeys();
    return result;
  }

  private static ObjectiveSpec objective(ConfigNode node) {
    String preset = node.string("preset", "balanced");
    ObjectiveSpec base = ObjectiveSpec.PRESETS.get(preset);
    if (base == null) {
      node.problem(
          "preset",
          "unknown preset '"
              + preset
              + "' (known: "
              + String.join(", ", new TreeSet<>(ObjectiveSpec.PRESETS.keySet()))
              + ")");
      base = ObjectiveSpec.BALANCED;
    }
    Map<String, Double> weights = node.numbers("weights");
    for (String key : weights.keySet()) {
      if (!List.of("quality", "cost", "latency", "energy").contains(key)) {
        node.problem("weights." + key, "unknown weight (known: quality, cost, latency, energy)");
      }
    }
    ObjectiveSpec result =
        new ObjectiveSpec(
            weights.isEmpty() ? base.preset() : base.preset() + "+weights",
            weights.getOrDefault("quality", base.quality()),
            weights.getOrDefault("cost", base.cost()),
            weights.getOrDefault("latency", base.latency()),
            weights.getOrDefault("energy", base.energy()),
            node.has("max-cost-usd")
                ? OptionalDouble.of(node.number("max-cost-usd", 0, 0, 1e6))
                : OptionalDouble.empty(),
            node.has("max-latency")
                ? OptionalDouble.of(node.duration("max-latency", Duration.ZERO).toNanos() / 1e6)
                : OptionalDouble.empty());
    node.rejectUnknownKeys();
    return result;
  }

  private static BanditSpec bandit(ConfigNode node) {
    BanditSpec d = BanditSpec.DEFAULT;
    String algorithm = node.string("algorithm", d.algorithm());
    if (!List.of("linucb", "thompson").contains(algorithm)) {
      node.problem("algorithm", "unknown algorithm '" + algorithm + "' (known: linucb, thompson)");
    }
    BanditSpec result =
        new BanditSpec(
            algorithm,
            node.number("exploration", d.exploration(), 0, 100),
            node.number("cost-penalty", d.costPenalty(), 0, 100),
            node.number("energy-penalty", d.energyPenalty(), 0, 100),
            node.number("exploration-budget", d.explorationBudget(), 0, 1),
            (int) node.integer("clusters", d.clusters(), 0, 256),
            node.optionalString("state").map(Path::of));
    node.rejectUnknownKeys();
    return result;
  }

  private static SessionSpec sessions(ConfigNode node) {
    SessionSpec d = SessionSpec.NONE;
    OptionalDouble budget =
        node.has("session-budget-usd")
            ? OptionalDouble.of(node.number("session-budget-usd", 0, 0, 1e9))
            : OptionalDouble.empty();
    return node.object("session")
        .map(
            s -> {
              SessionSpec result =
                  new SessionSpec(
                      s.bool("sticky", true),
                      s.number("sticky-margin", d.stickyMargin(), 0, 1e6),
                      s.duration("idle-timeout", d.idleTimeout()),
                      budget);
              s.rejectUnknownKeys();
              return result;
            })
        .orElse(new SessionSpec(false, d.stickyMargin(), d.idleTimeout(), budget));
  }

  private static HedgeSpec hedge(ConfigNode node) {
    String after = node.string("after", "p95");
    Optional<Duration> wait =
        after.equals("p95") ? Optional.empty() : Optional.of(node.duration("after", Duration.ZERO));
    HedgeSpec result =
        new HedgeSpec(wait, node.number("max-share", HedgeSpec.DEFAULT_MAX_SHARE, 0, 1));
    node.rejectUnknownKeys();
    return result;
  }

  private static SloSpec slo(ConfigNode node) {
    SloSpec result =
        new SloSpec(optionalMillis(node, "max-ttft"), optionalMillis(node, "max-end-to-end"));
    node.rejectUnknownKeys();
    return result;
  }

  private static OptionalDouble optionalMillis(ConfigNode node, String key) {
    return node.has(key)
        ? OptionalDouble.of(node.duration(key, Duration.ZERO).toNanos() / 1e6)
        : OptionalDouble.empty();
  }

  private static ThresholdSpec threshold(ConfigNode node, String policy) {
    // A learned threshold route without a value serves the one its artifact was calibrated to.
    double unset = policy.equals("threshold") ? Double.NaN : 0.5;
    ThresholdSpec result =
        new ThresholdSpec(
            node.requiredString("strong"),
            node.requiredString("weak"),
            node.has("value") ? node.number("value", 0.5, -1e12, 1e12) : unset,
            node.string("score", "score"));
    node.rejectUnknownKeys();
    return result;
  }

  private static RuleSpec rule(ConfigNode node, int index) {
    Optional<Pattern> regex = Optional.empty();
    Optional<String> regexText = node.optionalString("regex");
    if (regexText.isPresent()) {
      try {
        regex = Optional.of(Pattern.compile(regexText.get()));
      } catch (PatternSyntaxException e) {
        node.problem("regex", "not a valid regular expression: " + e.getDescription());
      }
    }
    OptionalLong min = OptionalLong.empty();
    OptionalLong max = OptionalLong.empty();
    Optional<ConfigNode> tokens = node.object("prompt-tokens");
    if (tokens.isPresent()) {
      ConfigNode range = tokens.get();
      if (range.has("min")) {
        min = OptionalLong.of(range.integer("min", 0, 0, Long.MAX_VALUE));
      }
      if (range.has("max")) {
        max = OptionalLong.of(range.integer("max", 0, 0, Long.MAX_VALUE));
      }
      range.rejectUnknownKeys();
    }
    Optional<RuleSpec.HeaderMatch> header =
        node.object("header")
            .map(
                h -> {
                  RuleSpec.HeaderMatch match =
                      new RuleSpec.HeaderMatch(
                          h.requiredString("name").toLowerCase(Locale.ROOT),
                          h.requiredString("value"));
                  h.rejectUnknownKeys();
                  return match;
                });
    RuleSpec result =
        new RuleSpec(
            node.string("name", "rules[" + index + "]"),
            node.strings("keywords").stream().map(k -> k.toLowerCase(Locale.ROOT)).toList(),
            regex,
            min,
            max,
            node.optionalBool("tools"),
            node.optionalBool("images"),
            header,
            node.requiredString("route"),
            node.strings("language"),
            node.strings("domain"));
    node.rejectUnknownKeys();
    return result;
  }

  private static String kebab(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static <E extends Enum<E>> Optional<E> parseEnum(
      ConfigNode node, String key, String text, Class<E> type) {
    for (E value : type.getEnumConstants()) {
      if (kebab(value).equals(text)) {
        return Optional.of(value);
      }
    }
    if (!text.isEmpty()) {
      List<String> known = Arrays.stream(type.getEnumConstants()).map(ConfigReader::kebab).toList();
      node.problem(
          key, "unknown " + key + " '" + text + "' (known: " + String.join(", ", known) + ")");
    }
    return Optional.empty();
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
