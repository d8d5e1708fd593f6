package dev.signalbox.core.policies;

import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.core.config.PriorityPolicySpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.policy.PolicyProvider;
import java.util.ArrayList;
import java.util.List;

/** The route's models in the order listed: the static fallback chain of LiteLLM and Portkey. */
public final class PriorityPolicy implements RoutingPolicy {
  public static final String NAME = "priority";

  /** Registers the policy. */
  public static final class Provider implements PolicyProvider<PriorityPolicySpec> {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Class<PriorityPolicySpec> specType() {
      return PriorityPolicySpec.class;
    }

    @Override
    public RoutingPolicy create(RouteSpec route, PriorityPolicySpec spec, PolicyContext context) {
      return new PriorityPolicy();
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PolicyResult decide(PolicyInput input) {
    List<ScoredModel> order = new ArrayList<>();
    int n = input.candidates().size();
    for (int i = 0; i < n; i++) {
      order.add(
          new ScoredModel(
              input.candidates().get(i).model(), n - i, "listed " + (i + 1) + " of " + n));
    }
    return PolicyResult.Ranked.deterministic(order);
  }
}
