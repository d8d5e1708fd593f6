package dev.signalbox.core.config;

import java.util.Map;

/** The weight policy's share per model (models left out weigh 1). */
public record WeightedPolicySpec(@Range(min = 0, max = 1e9) Map<String, Double> weights)
    implements PolicySpec {
  public WeightedPolicySpec {
    weights = Map.copyOf(weights);
  }

  @Override
  public void check(RouteCheck check) {
    for (String model : weights.keySet()) {
      if (!check.route().models().contains(model)) {
        check.problem(
            "weights." + model,
            "not one of the route's models (" + String.join(", ", check.route().models()) + ")");
      }
    }
  }
}
