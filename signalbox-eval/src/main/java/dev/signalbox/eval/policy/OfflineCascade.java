package dev.signalbox.eval.policy;

import dev.signalbox.core.cascade.AnswerChecks;
import dev.signalbox.core.cascade.StageAnswer;
import dev.signalbox.core.config.CascadeSpec;
import dev.signalbox.eval.data.DataException;
import dev.signalbox.eval.data.EvalPrompt;
import dev.signalbox.eval.data.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A cascade route walked over a prompt's recorded answers instead of live calls: each checked
 * stage's answers are its model's recorded {@code response} followed by its {@code samples} (as
 * many as the route draws), judged by the same {@link AnswerChecks} as serving; the recorded {@code
 * logprobs} belong to the response. Every call the walk makes is charged at the model's recorded
 * cost for the prompt, and the quality is the served model's recorded quality (a sample served in
 * place of the response is scored as the response: the data scores one answer per model).
 */
final class OfflineCascade {
  private OfflineCascade() {}

  /** Where a walk ended: the model served, and what all its calls cost. */
  record Walk(String served, double cost, int calls) {}

  /** How strict a walk is: the configured checks, a prefix of them, or none at all. */
  sealed interface Strictness {
    /**
     * The first {@code count} of the route's checks (all of them as configured; none accepts every
     * first answer).
     */
    record Checks(int count) implements Strictness {}

    /** Every checked stage is asked and turned down: the last stage always serves. */
    record EscalateAll() implements Strictness {}
  }

  static Walk walk(
      EvalPrompt prompt,
      List<String> stages,
      CascadeSpec spec,
      Strictness strictness,
      String source) {
    double cost = 0;
    int calls = 0;
    for (int s = 0; s < stages.size() - 1; s++) {
      String model = stages.get(s);
      List<StageAnswer> answers = answers(prompt, model, spec.samples(), source);
      cost += answers.size() * prompt.cost(model);
      calls += answers.size();
      boolean accepted =
          switch (strictness) {
            case Strictness.EscalateAll all -> false;
            case Strictness.Checks checks -> {
              int count = Math.min(checks.count(), spec.checks().size());
              yield count == 0
                  || AnswerChecks.judge(
                          CascadeSpec.of(
                              spec.samples(),
                              spec.sampleTemperature(),
                              spec.checks().subList(0, count)),
                          answers)
                      .accepted();
            }
          };
      if (accepted) {
        return new Walk(model, cost, calls);
      }
    }
    String last = stages.get(stages.size() - 1);
    return new Walk(last, cost + prompt.cost(last), calls + 1);
  }

  /**
   * What a walk that served {@code served} cost: every earlier stage's answers and the served
   * one's, the same whatever the strictness (an earlier stage is always asked).
   */
  static double cost(EvalPrompt prompt, List<String> stages, CascadeSpec spec, String served) {
    double cost = 0;
    for (int s = 0; s < stages.size(); s++) {
      boolean last = s == stages.size() - 1;
      cost += (last ? 1 : spec.samples()) * prompt.cost(stages.get(s));
      if (stages.get(s).equals(served)) {
        return cost;
      }
    }
    throw new IllegalArgumentException("'" + served + "' is not a stage of " + stages);
  }

  private static List<StageAnswer> answers(
      EvalPrompt prompt, String model, int samples, String source) {
    Outcome outcome = prompt.outcome(model);
    List<String> texts = new ArrayList<>();
    if (!outcome.response().isEmpty()) {
      texts.add(outcome.response());
    }
    texts.addAll(outcome.samples());
    if (texts.size() < samples) {
      throw new DataException(
          source,
          0,
          prompt.id(),
          "a cascade checks "
              + samples
              + " recorded answer"
              + (samples == 1 ? "" : "s")
              + " of '"
              + model
              + "' (its response, then its samples); this prompt has "
              + texts.size());
    }
    List<StageAnswer> answers = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      Optional<List<Double>> logprobs =
          i == 0 && !outcome.logprobs().isEmpty()
              ? Optional.of(outcome.logprobs())
              : Optional.empty();
      answers.add(new StageAnswer(texts.get(i), logprobs));
    }
    return answers;
  }
}
