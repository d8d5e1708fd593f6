package dev.signalbox.core.learn;

import dev.signalbox.core.config.BanditPolicySpec;
import dev.signalbox.core.config.BanditSpec;
import dev.signalbox.core.config.LearnedPolicySpec;
import dev.signalbox.core.config.ObjectivePolicySpec;
import dev.signalbox.core.config.ObjectiveSpec;
import dev.signalbox.core.config.PolicySpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.config.ScorerSpec;
import dev.signalbox.core.config.ThresholdPolicySpec;
import dev.signalbox.core.config.ThresholdSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** Routes for tests of learned policies, without a config file. */
final class LearnedRoutes {
  private LearnedRoutes() {}

  static RouteSpec thresholdRoute(String name, String scorer) {
    return thresholdRoute(name, scorer, List.of("strong", "weak"));
  }

  static RouteSpec thresholdRoute(String name, String scorer, List<String> models) {
    return route(name, "threshold", scorer, models);
  }

  static RouteSpec route(String name, String policy, String scorer, List<String> models) {
    ScorerSpec scorerSpec =
        new ScorerSpec(scorer, 20, ScorerSpec.DEFAULT.smoothing(), 8, 20, 16, 2);
    PolicySpec spec =
        switch (policy) {
          case "threshold" ->
              new ThresholdPolicySpec(
                  new ThresholdSpec("strong", "weak", OptionalDouble.empty(), "score"),
                  scorerSpec,
                  "last-user",
                  "head",
                  "keep",
                  "minilm",
                  Optional.empty(),
                  Optional.empty());
          case "objective" ->
              new ObjectivePolicySpec(
                  scorerSpec,
                  "last-user",
                  "head",
                  "keep",
                  "minilm",
                  Optional.empty(),
                  ObjectiveSpec.BALANCED);
          case "bandit" ->
              new BanditPolicySpec(
                  scorerSpec,
                  "last-user",
                  "head",
                  "keep",
                  "minilm",
                  Optional.empty(),
                  BanditSpec.DEFAULT);
          default -> throw new IllegalArgumentException("not a learned policy: " + policy);
        };
    RouteSpec base = RouteSpec.direct(name);
    return new RouteSpec(
        name,
        models,
        policy,
        List.of(),
        RouteSpec.DEFAULT_FALLBACK_ON,
        Duration.ofSeconds(60),
        0,
        RouteSpec.DEFAULT_MAX_TOKENS,
        base.fallbackOrder(),
        base.slo(),
        Optional.empty(),
        false,
        Optional.empty(),
        OptionalDouble.empty(),
        spec);
  }

  /** The learned spec of a route made here. */
  static LearnedPolicySpec learned(RouteSpec route) {
    return (LearnedPolicySpec) route.spec();
  }
}
