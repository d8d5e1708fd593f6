package dev.signalbox.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.signalbox.api.Candidate;
import dev.signalbox.api.Pricing;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A logical model: its prices, context window and capabilities, served by one or more deployments.
 *
 * @param maxOutputTokens the most tokens one answer of the model can have, when known: a budget
 *     reserves no more for it, whatever a request's {@code max_tokens} says
 */
public record ModelSpec(
    String name,
    List<String> deployments,
    @JsonProperty("deployment-selector") @Default("priority") SelectorKind selector,
    @JsonProperty("pricing") @Default("{}") Prices prices,
    Set<Capability> capabilities,
    @Default("8192") @Range(min = 1, max = 100_000_000) int contextWindow,
    @Default("0") @Range(min = 0, max = 1e6) double joulesPerToken,
    @Range(min = 1, max = 100_000_000) java.util.OptionalInt maxOutputTokens) {

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
    if (deployments.isEmpty()) {
      throw new ConfigProblem("deployments", "a model needs at least one deployment");
    }
    Objects.requireNonNull(selector);
    Objects.requireNonNull(prices);
    capabilities = Set.copyOf(capabilities);
  }

  /** The prices per million tokens. */
  public Pricing pricing() {
    return prices.prices();
  }

  public Candidate candidate() {
    return new Candidate(name, pricing(), contextWindow, joulesPerToken, deployments);
  }
}
