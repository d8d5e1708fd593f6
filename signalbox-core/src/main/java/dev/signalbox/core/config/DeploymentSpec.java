package dev.signalbox.core.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

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
    @Default("1") @Range(min = 0, max = 1e6) double weight,
    @Default("{}") SimSettings sim,
    Optional<Path> replayFrom,
    @Default("{}") BreakerSpec breaker,
    @HttpUrl Optional<URI> metricsUrl,
    @Default("2s") Duration metricsInterval,
    @HttpUrl Optional<URI> healthCheckUrl,
    @Default("10s") Duration healthCheckInterval) {

  public DeploymentSpec {
    Objects.requireNonNull(name);
    Objects.requireNonNull(provider);
    baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    if (provider == Provider.REPLAY && replayFrom.isEmpty()) {
      throw new ConfigProblem(
          "replay-from",
          "missing (a replay deployment answers from an outcomes file or a trace store)");
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
        1,
        sim,
        Optional.empty(),
        BreakerSpec.DEFAULT,
        Optional.empty(),
        Duration.ofSeconds(2),
        Optional.empty(),
        Duration.ofSeconds(10));
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
