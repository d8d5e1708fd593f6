package dev.signalbox.core.config;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.Pricing;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** A logical model: its prices, context window and capabilities, served by one or more deployments. */
public record ModelSpec(
    String name,
    List<String> deployments,
    SelectorKind selector,
    Pricing pricing,
    int contextWindow,
    Set<Capability> capabilities,
    double joulesPerToken) {

  /** How one of the model's deployments is picked for an attempt. */
  public enum SelectorKind {
    PRIORITY,
    WEIGHTED
  }

  public ModelSpec {
    Objects.requireNonNull(name);
    deployments = List.copyOf(deployments);
    Objects.requireNonNull(selector);
    Objects.requireNonNull(pricing);
    capabilities = Set.copyOf(capabilities);
  }

  public Candidate candidate() {
    return new Candidate(name, pricing, contextWindow, joulesPerToken);
  }
}
