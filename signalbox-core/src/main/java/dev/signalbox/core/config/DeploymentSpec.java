package dev.signalbox.core.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One concrete endpoint: a provider URL and the model id it knows.
 *
 * @param apiKeyEnv the name of the environment variable holding the key, never the key itself
 * @param sim how the deployment behaves when {@code provider} is {@link Provider#SIM}
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
    SimSettings sim) {
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
  }
}
