package dev.signalbox.core.config;

import java.util.Map;

/** The {@code weighted} policy's weight per model (models left out weigh 1). */
public record WeightedPolicySpec(@Range(min = 0, max = 1e9) Map<String, Double> weights)
    implements PolicySpec {
  public WeightedPolicySpec {
    weights = Map.copyOf(weights);
  }

  @Override
  public void check(RouteCheck check) {
    for (String weighted : weights.keySet()) {
      if (!check.route().models().contains(weighted)) {
        check.problem(
            "weights." + weighted,
            "not one of the route's models (" + String.join(", ", check.route().models()) + ")");
      }
    }
  }
}
