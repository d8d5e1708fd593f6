package dev.signalbox.eval.policy;

import dev.signalbox.eval.data.EvalPrompt;
import java.util.List;

/**
 * Longer prompts to the stronger model: the simplest signal a gateway has for free. Weak is the
 * cheapest model and strong the best (both on the training part); the configured threshold is the
 * training part's median prompt length in tokens.
 */
public final class PromptLengthPolicy implements OfflinePolicy {
  @Override
  public String name() {
    return "prompt-length";
  }

  @Override
  public FittedPolicy fit(List<EvalPrompt> train, EvalContext context) {
    EvalContext.Pair ends = context.cheapestAndBest(train);
    String weak = ends.weak();
    String strong = ends.strong();
    long[] lengths = train.stream().mapToLong(context::promptTokens).sorted().toArray();
    double median = lengths.length == 0 ? 0 : lengths[lengths.length / 2];
    Knob.Threshold knob =
        new Knob.Threshold() {
          @Override
          public String strong() {
            return strong;
          }

          @Override
          public String weak() {
            return weak;
          }

          @Override
          public double score(EvalPrompt prompt) {
            return context.promptTokens(prompt);
          }

          @Override
          public String chooseAt(EvalPrompt prompt, double t) {
            return score(prompt) >= t ? strong : weak;
          }
        };
    return new FittedPolicy() {
      @Override
      public String choose(EvalPrompt prompt) {
        return knob.chooseAt(prompt, median);
      }

      @Override
      public Knob knob() {
        return knob;
      }
    };
  }
}
