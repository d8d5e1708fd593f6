package dev.signalbox.core.config;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.Pricing;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A logical model: its prices, context window and capabilities, served by one or more deployments.
 */
public record ModelSpec(
    String name,
    List<String> deployments,
    SelectorKind selector,
    Pricing pricing,
    int contextWindow,
    Set<Capability> capabilities,
    double joulesPerToken) {

  /**
   * How one of the model's deployments is picked for an attempt; the others follow as fallbacks.
   */
  public enum SelectorKind {
    /** The listed order. */
    PRIORITY,
    /** A seeded draw by weight. */
    WEIGHTED,
    /** In turn: the one with the fewest attempts assigned so far, ties in listed order. */
    ROUND_ROBIN,
    /** The fewest requests under way. */
    LEAST_OUTSTANDING,
    /**
     * Two drawn at random, the one with the lower peak-weighted latency (Finagle's P2C with peak
     * EWMA).
     */
    P2C_PEAK_EWMA,
    /** The lowest predicted end-to-end latency for this request: its queue, then its own answer. */
    LOWEST_LATENCY
  }

  public ModelSpec {
    Objects.requireNonNull(name);
    deployments = List.copyOf(deployments);
    Objects.requireNonNull(selector);
    Objects.requireNonNull(pricing);
    capabilities = Set.copyOf(capabilities);
  }

  public Candidate candidate() {
    return new Candidate(name, pricing, contextWindow, joulesPerToken, deployments);
  }
}
