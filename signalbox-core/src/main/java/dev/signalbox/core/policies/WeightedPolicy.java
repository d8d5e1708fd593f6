package dev.signalbox.core.policies;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.config.WeightedPolicySpec;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.policy.PolicyProvider;
import dev.signalbox.core.text.Decimals;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Picks the first model at random in proportion to its weight, seeded by the request, so traffic
 * splits (A/B tests, canaries) are reproducible; the rest follow by weight as fallbacks. The
 * propensity is the chosen model's share of the eligible weight.
 */
public final class WeightedPolicy implements RoutingPolicy {
  public static final String NAME = "weighted";

  /** Registers the policy. */
  public static final class Provider implements PolicyProvider<WeightedPolicySpec> {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Class<WeightedPolicySpec> specType() {
      return WeightedPolicySpec.class;
    }

    @Override
    public RoutingPolicy create(RouteSpec route, WeightedPolicySpec spec, PolicyContext context) {
      return new WeightedPolicy(spec.weights());
    }
  }

  private final Map<String, Double> weights;

  WeightedPolicy(Map<String, Double> weights) {
    this.weights = Map.copyOf(weights);
  }

  private double weight(Candidate candidate) {
    return weights.isEmpty() ? 1.0 : weights.getOrDefault(candidate.model(), 0.0);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PolicyResult decide(PolicyInput input) {
    List<Candidate> candidates = input.candidates();
    boolean anyWeight = candidates.stream().anyMatch(c -> weight(c) > 0);
    // With no weight on any eligible candidate, every one is equally likely.
    ToDoubleFunction<Candidate> share = anyWeight ? this::weight : c -> 1.0;
    double total = candidates.stream().mapToDouble(share).sum();
    double point = new SplittableRandom(input.seed()).nextDouble() * total;
    int chosen = candidates.size() - 1;
    double cumulative = 0;
    for (int i = 0; i < candidates.size(); i++) {
      cumulative += share.applyAsDouble(candidates.get(i));
      if (point < cumulative) {
        chosen = i;
        break;
      }
    }
    Map<String, Double> probabilities = new HashMap<>();
    candidates.forEach(
        c -> probabilities.merge(c.model(), share.applyAsDouble(c) / total, Double::sum));
    Candidate first = candidates.get(chosen);
    double propensity = probabilities.get(first.model());
    List<ScoredModel> order = new ArrayList<>();
    order.add(
        new ScoredModel(
            first.model(), weight(first), "drawn with p=" + Decimals.fixed(propensity, 4)));
    candidates.stream()
        .filter(c -> !c.equals(first))
        .sorted(Comparator.comparingDouble(this::weight).reversed())
        .forEach(c -> order.add(new ScoredModel(c.model(), weight(c), "fallback by weight")));
    return new PolicyResult.Ranked(order, propensity, probabilities);
  }
}
