package dev.signalbox.eval.policy;

import dev.signalbox.eval.data.EvalPrompt;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Each prompt to the best model with probability p, else to the cheapest (best mean quality and
 * least mean cost on the training part; with two models, strong and weak), seeded per prompt. Its
 * knob sweeps p from 0 to 1; the same draw serves every p, so the curve is the straight line a
 * router must beat, and "random at matched cost" is read off it.
 */
public final class RandomMixPolicy implements OfflinePolicy {
  public static final String NAME = "random";
  private static final int STEPS = 10;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public FittedPolicy fit(List<EvalPrompt> train, EvalContext context) {
    EvalContext.Pair ends = context.cheapestAndBest(train);
    List<String> labels = new ArrayList<>();
    for (int i = 0; i <= STEPS; i++) {
      labels.add(String.format(Locale.ROOT, "p=%.1f", i / (double) STEPS));
    }
    return FittedPolicy.onGrid(
        labels,
        STEPS / 2,
        (prompt, setting) ->
            new SplittableRandom(context.seedFor(prompt)).nextDouble() < setting / (double) STEPS
                ? ends.strong()
                : ends.weak());
  }
}
