package dev.signalbox.eval;

import dev.signalbox.core.config.QualityTarget;
import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.EvalPrompt;
import dev.signalbox.eval.data.QualityScale;
import java.util.List;

/**
 * Whether a route kept the quality it promised ({@code target}), on the test prompts: its realised
 * quality against the promise (on the data's 0-1 scale), and what it cost beside the reference.
 *
 * @param promised the target quality (the target's share of the reference model's test quality)
 * @param costRatio the route's cost over the reference model's (NaN without one)
 */
public record PromiseCheck(
    String route, String target, double promised, double realised, boolean held, double costRatio) {

  /** The check of {@code route}'s choices (one per test prompt) and their total cost. */
  static PromiseCheck of(
      String route,
      QualityTarget target,
      List<EvalPrompt> test,
      String[] choices,
      double cost,
      QualityScale scale) {
    double low = scale.min();
    double range = scale.max() - low;
    double realised = 0;
    double reference = 0;
    for (int i = 0; i < test.size(); i++) {
      realised += unit(test.get(i).quality(choices[i]), low, range) / test.size();
      if (target.of().isPresent()) {
        reference += unit(test.get(i).quality(target.of().get()), low, range) / test.size();
      }
    }
    double promised = target.quality() * (target.of().isPresent() ? reference : 1);
    double costRatio =
        target.of().map(m -> cost / (Dataset.meanCost(test, m) * test.size())).orElse(Double.NaN);
    return new PromiseCheck(
        route, target.describe(), promised, realised, realised >= promised, costRatio);
  }

  private static double unit(double quality, double low, double range) {
    return range > 0 ? (quality - low) / range : quality;
  }
}
