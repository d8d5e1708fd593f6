package dev.signalbox.eval.policy;

import dev.signalbox.core.config.QualityTarget;
import dev.signalbox.eval.data.EvalPrompt;
import java.util.List;
import java.util.Optional;

/** A policy fitted on one fold's training part, asked about that fold's test prompts. */
public interface FittedPolicy {
  /** The model chosen at the policy's configured setting. */
  String choose(EvalPrompt prompt);

  /**
   * What serving {@code served} cost for this prompt, every call the policy made included: the
   * served model's recorded cost for a policy that asks one model, more for a cascade.
   */
  default double cost(EvalPrompt prompt, String served) {
    return prompt.cost(served);
  }

  default Knob knob() {
    return Knob.NONE;
  }

  /** The quality the policy promises at its configured setting, if it makes a promise. */
  default Optional<QualityTarget> promise() {
    return Optional.empty();
  }

  /**
   * What the fit has to say, such as a bandit's learning curve; printed with the report's notes.
   */
  default List<String> notes() {
    return List.of();
  }

  /** What a grid setting chooses for a prompt. */
  interface GridChoice {
    String choose(EvalPrompt prompt, int setting);
  }

  /** A policy whose knob is a grid of settings, configured at one of them. */
  static FittedPolicy onGrid(List<String> labels, int configured, GridChoice choice) {
    List<String> settings = List.copyOf(labels);
    Knob.Grid knob =
        new Knob.Grid() {
          @Override
          public List<String> labels() {
            return settings;
          }

          @Override
          public String chooseAt(EvalPrompt prompt, int setting) {
            return choice.choose(prompt, setting);
          }
        };
    return new FittedPolicy() {
      @Override
      public String choose(EvalPrompt prompt) {
        return choice.choose(prompt, configured);
      }

      @Override
      public Knob knob() {
        return knob;
      }
    };
  }
}
