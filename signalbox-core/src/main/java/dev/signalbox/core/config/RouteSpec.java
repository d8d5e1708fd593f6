package dev.signalbox.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a client names in {@code model}: candidate models, a policy and its settings, fallbacks.
 *
 * @param weights the {@code weighted} policy's weight per model
 * @param rules the {@code rules} policy's rules, first match wins
 * @param defaultRoute where the {@code rules} policy sends a request no rule matched
 * @param fallbackOn upstream statuses after which the next attempt is made
 * @param defaultMaxTokens the output length assumed when a request sets no max_tokens
 * @param threshold the {@code score} policy's strong and weak model and threshold
 * @param fallbackOrder how the plan's entries after the first are ordered
 * @param slo latency objectives the plan's deployments are filtered by
 * @param hedge when to send the request to a second deployment before the first answers
 * @param learning what a learned policy is fitted with and reads
 * @param sessions stickiness and budget per agent session
 * @param cascade a {@code cascade} route's checks
 * @param continueStreams whether a text answer whose stream breaks after the commit boundary is
 *     continued on a deployment that accepts a final assistant message (assistant-prefill)
 */
public record RouteSpec(
    String name,
    List<String> models,
    String policy,
    Map<String, Double> weights,
    List<RuleSpec> rules,
    String defaultRoute,
    List<String> fallbacks,
    Set<Integer> fallbackOn,
    Duration timeout,
    int maxAttempts,
    int defaultMaxTokens,
    Optional<ThresholdSpec> threshold,
    FallbackOrder fallbackOrder,
    SloSpec slo,
    Optional<HedgeSpec> hedge,
    boolean continueStreams,
    LearningSpec learning,
    SessionSpec sessions,
    CascadeSpec cascade) {

  /** How a route orders its fallbacks. */
  public enum FallbackOrder {
    /** The policy's order, deployments with an open circuit skipped. */
    PLAN,
    /** The entries after the first re-ranked by price, weighted by live latency and reliability. */
    SELF_HEALING
  }

  /** The output length assumed when neither the request nor the route sets one. */
  public static final int DEFAULT_MAX_TOKENS = 1_024;

  public static final Set<Integer> DEFAULT_FALLBACK_ON =
      Set.of(408, 409, 429, 500, 502, 503, 504, 529);

  public RouteSpec {
    Objects.requireNonNull(name);
    models = List.copyOf(models);
    Objects.requireNonNull(policy);
    weights = Map.copyOf(weights);
    rules = List.copyOf(rules);
    Objects.requireNonNull(defaultRoute);
    fallbacks = List.copyOf(fallbacks);
    fallbackOn = Set.copyOf(fallbackOn);
    Objects.requireNonNull(timeout);
    Objects.requireNonNull(threshold);
    Objects.requireNonNull(fallbackOrder);
    Objects.requireNonNull(slo);
    Objects.requireNonNull(hedge);
    Objects.requireNonNull(learning);
    Objects.requireNonNull(sessions);
    Objects.requireNonNull(cascade);
  }

  public RouteSpec withThreshold(ThresholdSpec newThreshold) {
    return new RouteSpec(
        name,
        models,
        policy,
        weights,
        rules,
        defaultRoute,
        fallbacks,
        fallbackOn,
        timeout,
        maxAttempts,
        defaultMaxTokens,
        Optional.of(newThreshold),
        fallbackOrder,
        slo,
        hedge,
        continueStreams,
        learning,
        sessions,
        cascade);
  }
}
