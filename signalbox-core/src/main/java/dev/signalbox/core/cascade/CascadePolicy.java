package dev.signalbox.core.cascade;

import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.core.config.CascadePolicySpec;
import dev.signalbox.core.config.CascadeSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.policies.CheapestPolicy;
import dev.signalbox.core.policy.Execution;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.policy.PolicyProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * Orders a cascade's stages: the candidates by this request's estimated cost (prompt tokens at the
 * input price, the maximum output at the output price), cheapest first, ties in the route's order.
 * Every stage but the last is checked; the dispatcher's cascade runner walks them. This is
 * FrugalGPT's LLM cascade (Chen, Zaharia and Zou, 2023) with checks a gateway can run without a
 * trained scorer: agreement among samples (ACAR, self-consistency), verifier rules and token
 * log-probabilities. The score is the estimated cost in USD.
 */
public final class CascadePolicy implements RoutingPolicy {
  public static final String NAME = "cascade";

  private final String checks;

  /** Registers the policy: its plans run as a cascade, stage by stage. */
  public static final class Provider implements PolicyProvider<CascadePolicySpec> {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Class<CascadePolicySpec> specType() {
      return CascadePolicySpec.class;
    }

    @Override
    public RoutingPolicy create(RouteSpec route, CascadePolicySpec spec, PolicyContext context) {
      return new CascadePolicy(spec.cascade());
    }

    @Override
    public Execution execution(CascadePolicySpec spec) {
      return new Execution.Cascade(spec.cascade());
    }
  }

  public CascadePolicy(CascadeSpec spec) {
    this.checks =
        String.join(", ", spec.checks().stream().map(CascadeSpec.Check::kind).toList())
            + (spec.samples() > 1 ? " over " + spec.samples() + " samples" : "");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PolicyResult decide(PolicyInput input) {
    List<ScoredModel> byCost = CheapestPolicy.byEstimatedCost(input);
    List<ScoredModel> stages = new ArrayList<>();
    for (int i = 0; i < byCost.size(); i++) {
      ScoredModel model = byCost.get(i);
      String role = i == byCost.size() - 1 ? "final, unchecked" : "checked by " + checks;
      stages.add(
          new ScoredModel(
              model.model(),
              model.score(),
              "stage " + (i + 1) + " of " + byCost.size() + " (" + role + "), " + model.reason()));
    }
    return PolicyResult.Ranked.deterministic(stages);
  }
}
