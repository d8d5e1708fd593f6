package dev.signalbox.core.policies;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.core.config.CheapestPolicySpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.policy.PolicyProvider;
import dev.signalbox.core.text.Decimals;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Orders models by this request's estimated cost: its prompt tokens at the input price plus its
 * maximum output at the output price (LiteLLM's cost-based routing, priced per request). Ties keep
 * the route's order. The score is the estimated cost in USD, lower is better.
 */
public final class CheapestPolicy implements RoutingPolicy {
  public static final String NAME = "cheapest";

  /** Registers the policy. */
  public static final class Provider implements PolicyProvider<CheapestPolicySpec> {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Class<CheapestPolicySpec> specType() {
      return CheapestPolicySpec.class;
    }

    @Override
    public RoutingPolicy create(RouteSpec route, CheapestPolicySpec spec, PolicyContext context) {
      return new CheapestPolicy();
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PolicyResult decide(PolicyInput input) {
    return PolicyResult.Ranked.deterministic(byEstimatedCost(input));
  }

  /**
   * The candidates by this request's estimated cost, cheapest first, ties in the listed order; each
   * scored by its cost.
   */
  public static List<ScoredModel> byEstimatedCost(PolicyInput input) {
    long prompt = input.signals().promptTokens();
    long output = input.signals().maxOutputTokens();
    record Priced(Candidate candidate, double cost, int listed) {}
    List<Priced> priced = new ArrayList<>();
    for (int i = 0; i < input.candidates().size(); i++) {
      Candidate c = input.candidates().get(i);
      priced.add(new Priced(c, c.pricing().estimate(prompt, output), i));
    }
    priced.sort(Comparator.comparingDouble(Priced::cost).thenComparingInt(Priced::listed));
    List<ScoredModel> order = new ArrayList<>();
    for (Priced p : priced) {
      order.add(
          new ScoredModel(
              p.candidate().model(),
              p.cost(),
              "est $" + Decimals.fixed(p.cost(), 6) + " for " + prompt + "+" + output + " tokens"));
    }
    return order;
  }
}
