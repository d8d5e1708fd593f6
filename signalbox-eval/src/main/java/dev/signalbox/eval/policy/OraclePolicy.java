package dev.signalbox.eval.policy;

import dev.signalbox.eval.data.EvalPrompt;
import java.util.List;

/**
 * The best quality each prompt could have had, the cheapest model on ties. It reads the outcomes,
 * so no router can beat it.
 */
public final class OraclePolicy implements OfflinePolicy {
  @Override
  public String name() {
    return "oracle";
  }

  @Override
  public FittedPolicy fit(List<EvalPrompt> train, EvalContext context) {
    List<String> models = context.models();
    return prompt -> {
      String best = null;
      for (String model : models) {
        if (best == null || better(prompt, model, best)) {
          best = model;
        }
      }
      return best;
    };
  }

  private static boolean better(EvalPrompt prompt, String model, String than) {
    double q = prompt.quality(model);
    double bestQ = prompt.quality(than);
    return q > bestQ || (q == bestQ && prompt.cost(model) < prompt.cost(than));
  }
}
