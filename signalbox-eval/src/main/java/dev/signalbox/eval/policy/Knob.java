package dev.signalbox.eval.policy;

import dev.signalbox.eval.data.EvalPrompt;
import java.util.List;

/** The setting a policy trades quality for cost with, swept to draw its quality-cost curve. */
public sealed interface Knob {
  Knob NONE = new None();

  /** No knob: the policy is one point. */
  record None() implements Knob {}

  /**
   * A two-model threshold (RouteLLM): the evaluator sweeps it over the 10-quantile edges of the
   * scores it sees on the test prompts.
   */
  non-sealed interface Threshold extends Knob {
    String strong();

    String weak();

    /** The score compared with the threshold; higher means "the strong model is worth it". */
    double score(EvalPrompt prompt);

    /** The model chosen at threshold {@code t}: strong when the score is at least {@code t}. */
    String chooseAt(EvalPrompt prompt, double t);
  }

  /** A fixed list of settings, the same in every fold (a cost weight, a mixing share). */
  non-sealed interface Grid extends Knob {
    List<String> labels();

    String chooseAt(EvalPrompt prompt, int setting);
  }
}
