package dev.signalbox.core.config;

import java.util.List;

/**
 * What one routing policy reads from its route: the keys beside the route's own ({@code weights},
 * {@code rules}, {@code cascade} ...), bound to the record its {@code policy} names. The built-in
 * policies' records are listed; a plug-in's implements {@link Custom}.
 */
public sealed interface PolicySpec
    permits PriorityPolicySpec,
        CheapestPolicySpec,
        WeightedPolicySpec,
        ScorePolicySpec,
        RulesPolicySpec,
        CascadePolicySpec,
        ThresholdPolicySpec,
        ObjectivePolicySpec,
        BanditPolicySpec,
        PolicySpec.Custom {

  /** The routes this policy may hand a request to instead of deciding (a rules route's targets). */
  default List<String> delegatesTo() {
    return List.of();
  }

  /**
   * Checks against the rest of the config, once all of it is read; each problem via {@code check}.
   */
  default void check(RouteCheck check) {}

  /** The spec of a policy from a plug-in. */
  non-sealed interface Custom extends PolicySpec {}
}
