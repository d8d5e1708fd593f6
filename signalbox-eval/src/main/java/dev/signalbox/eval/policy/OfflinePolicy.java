package dev.signalbox.eval.policy;

import dev.signalbox.eval.data.EvalPrompt;
import java.util.List;

/**
 * A routing policy as the evaluator runs it, registered by name. {@link #fit} sees only the fold's
 * training part; what the fitted policy is asked about test prompts must use only what a request
 * carries at serving time (its messages), except for baselines, which say what they read.
 */
public interface OfflinePolicy {
  String name();

  /**
   * "policy" for a route from the policies file, "baseline" for the ones always run beside them.
   */
  default String kind() {
    return "baseline";
  }

  FittedPolicy fit(List<EvalPrompt> train, EvalContext context);
}
