package dev.signalbox.core.routing;

import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.ScoredModel;
import java.util.ArrayList;
import java.util.List;

/** The route's models in the order listed: the static fallback chain of LiteLLM and Portkey. */
final class PriorityPolicy implements RoutingPolicy {
  static final String NAME = "priority";

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
