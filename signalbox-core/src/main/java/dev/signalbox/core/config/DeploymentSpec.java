package dev.signalbox.core.config;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One concrete endpoint: a provider URL and the model id it knows.
 *
 * @param model the model id the provider knows; the deployment's name when absent
 * @param apiKeyEnv the name of the environment variable holding the key, never the key itself
 * @param sim how the deployment behaves when {@code provider} is {@link Provider#SIM}, and the
 *     latency and faults of a {@link Provider#REPLAY} deployment where the recording has none
 * @param replayFrom the outcomes file or trace store a {@link Provider#REPLAY} deployment answers
 *     from
 * @param breaker when its circuit opens and closes
 * @param metricsUrl a vLLM server's Prometheus endpoint, whose running and waiting request counts
 *     re-anchor the deployment's load every {@code metricsInterval}
 * @param healthCheckUrl an endpoint polled every {@code healthCheckInterval}: a failure counts
 *     against the breaker, a success moves an open circuit to half-open
 * @param headers extra request headers, written as given (for example an organisation id)
 * @param headerEnv extra request headers whose values come from environment variables, named here
 *     (secrets such as Azure OpenAI's {@code api-key}); redacted like {@code apiKeyEnv}
 * @param query query parameters added to every request (Azure OpenAI's {@code api-version})
 * @param responsesApi whether an {@link Provider#OPENAI} deployment also serves OpenAI's Responses
 *     API ({@code /responses}): Responses requests then pass through to it untranslated
 */
public record DeploymentSpec(
    String name,
    Provider provider,
    @Default("") @HttpUrl String baseUrl,
    Optional<String> model,
    Optional<String> apiKeyEnv,
    @Default("5s") Duration connectTimeout,
    @Default("30s") Duration firstTokenTimeout,
    @Default("30s") Duration idleTimeout,
    @Default("300s") Duration requestTimeout,
    @Default("64") @Range(min = 1, max = 100_000) int idleConnections,
    @Default("1") @Range(min = 0, max = 1e6) double weight,
    @Default("{}") SimSettings sim,
    Optional<Path> replayFrom,
    @Default("{}") BreakerSpec breaker,
    @HttpUrl Optional<URI> metricsUrl,
    @Default("2s") Duration metricsInterval,
    @HttpUrl Optional<URI> healthCheckUrl,
    @Default("10s") Duration healthCheckInterval,
    @Default("{}") Map<String, String> headers,
    @Default("{}") Map<String, String> headerEnv,
    @Default("{}") Map<String, String> query,
    @Default("false") boolean responsesApi) {
  /** Headers the gateway writes itself, which a deployment may not set. */
  private static final Set<String> RESERVED_HEADERS =
      Set.of("content-type", "content-length", "host", "transfer-encoding", "connection");

  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  public DeploymentSpec {
    Objects.requireNonNull(name);
    Objects.requireNonNull(provider);
    baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    headers = Map.copyOf(headers);
    headerEnv = Map.copyOf(headerEnv);
    query = Map.copyOf(query);
    checkHeaders("headers", headers.keySet());
    checkHeaders("header-env", headerEnv.keySet());
    for (String header : headers.keySet()) {
      if (headerEnv.keySet().stream().anyMatch(header::equalsIgnoreCase)) {
        throw new ConfigProblem(
            "headers." + header, "set twice (also in header-env); give it one value");
      }
    }
    for (var parameter : headers.entrySet()) {
      if (parameter.getValue().indexOf('\r') >= 0 || parameter.getValue().indexOf('\n') >= 0) {
        throw new ConfigProblem(
            "headers." + parameter.getKey(), "a header value has no line breaks");
      }
    }
    if (baseUrl.contains("?") && !query.isEmpty()) {
      throw new ConfigProblem(
          "query", "base-url already has a query; give the parameters in one place");
    }
    if (provider == Provider.REPLAY && replayFrom.isEmpty()) {
      throw new ConfigProblem(
          "replay-from",
          "missing (a replay deployment answers from an outcomes file or a trace store)");
    }
    if (responsesApi && provider != Provider.OPENAI) {
      throw new ConfigProblem(
          "responses-api", "only an openai deployment speaks the Responses API");
    }
    if (provider != Provider.REPLAY && replayFrom.isPresent()) {
      throw new ConfigProblem(
          "replay-from", "only a replay deployment answers from a recording (provider: replay)");
    }
    if (provider != Provider.SIM && provider != Provider.REPLAY && baseUrl.isEmpty()) {
      throw new ConfigProblem(
          "base-url",
          "missing (needed by provider "
              + provider.name().toLowerCase(java.util.Locale.ROOT)
              + ")");
    }
  }

  /** A simulated deployment with every other setting at its default. */
  public static DeploymentSpec sim(String name, SimSettings sim) {
    return new DeploymentSpec(
        name,
        Provider.SIM,
        "",
        Optional.empty(),
        Optional.empty(),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        Duration.ofSeconds(300),
        64,
        1,
        sim,
        Optional.empty(),
        BreakerSpec.DEFAULT,
        Optional.empty(),
        Duration.ofSeconds(2),
        Optional.empty(),
        Duration.ofSeconds(10),
        Map.of(),
        Map.of(),
        Map.of(),
        false);
  }

  private static void checkHeaders(String field, Set<String> names) {
    for (String name : names) {
      if (!HEADER_NAME.matcher(name).matches()) {
        throw new ConfigProblem(field + "." + name, "not a valid HTTP header name");
      }
      if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        throw new ConfigProblem(
            field + "." + name, "the gateway sets this header itself; a deployment cannot");
      }
    }
  }

  /**
   * The deployment's URL for {@code path} (such as {@code /chat/completions}), with its query
   * parameters.
   */
  public URI endpoint(String path) {
    if (query.isEmpty()) {
      return URI.create(baseUrl + path);
    }
    StringBuilder url = new StringBuilder(baseUrl).append(path).append('?');
    new TreeMap<>(query)
        .forEach(
            (name, value) ->
                url.append(url.charAt(url.length() - 1) == '?' ? "" : "&")
                    .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return URI.create(url.toString());
  }

  /** The model id the provider knows. */
  public String upstreamModel() {
    return model.orElse(name);
  }

  public Optional<URI> healthUrl() {
    return healthCheckUrl;
  }

  public Duration healthInterval() {
    return healthCheckInterval;
  }
}
