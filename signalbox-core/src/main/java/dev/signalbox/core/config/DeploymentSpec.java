package dev.signalbox.core.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One concrete endpoint: a provider URL and the model id it knows.
 *
 * @param apiKeyEnv the name of the environment variable holding the key, never the key itself
 * @param sim how the deployment behaves when {@code provider} is {@link Provider#SIM}, and the
 *     latency and faults of a {@link Provider#REPLAY} deployment where the recording has none
 * @param replayFrom the outcomes file or trace store a {@link Provider#REPLAY} deployment answers
 *     from
 * @param breaker when its circuit opens and closes
 * @param metricsUrl a vLLM server's Prometheus endpoint, whose running and waiting request counts
 *     re-anchor the deployment's load every {@code metricsInterval}
 * @param healthUrl an endpoint polled every {@code healthInterval}: a failure counts against the
 *     breaker, a success moves an open circuit to half-open
 */
public record DeploymentSpec(
    String name,
    Provider provider,
    String baseUrl,
    String upstreamModel,
    Optional<String> apiKeyEnv,
    Duration connectTimeout,
    Duration firstTokenTimeout,
    Duration idleTimeout,
    Duration requestTimeout,
    double weight,
    SimSettings sim,
    Optional<Path> replayFrom,
    BreakerSpec breaker,
    Optional<URI> metricsUrl,
    Duration metricsInterval,
    Optional<URI> healthUrl,
    Duration healthInterval) {
  public DeploymentSpec {
    Objects.requireNonNull(name);
    Objects.requireNonNull(provider);
    Objects.requireNonNull(baseUrl);
    Objects.requireNonNull(upstreamModel);
    Objects.requireNonNull(apiKeyEnv);
    Objects.requireNonNull(connectTimeout);
    Objects.requireNonNull(firstTokenTimeout);
    Objects.requireNonNull(idleTimeout);
    Objects.requireNonNull(requestTimeout);
    Objects.requireNonNull(sim);
    Objects.requireNonNull(replayFrom);
    Objects.requireNonNull(breaker);
    Objects.requireNonNull(metricsUrl);
    Objects.requireNonNull(metricsInterval);
    Objects.requireNonNull(healthUrl);
    Objects.requireNonNull(healthInterval);
  }
}
