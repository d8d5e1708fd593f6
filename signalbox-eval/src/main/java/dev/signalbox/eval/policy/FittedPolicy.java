package dev.signalbox.eval.policy;

import dev.signalbox.eval.data.EvalPrompt;

/** A policy fitted on one fold's training part, asked about that fold's test prompts. */
public interface FittedPolicy {
  /** The model chosen at the policy's configured setting. */
  String choose(EvalPrompt prompt);

  default Knob knob() {
    return Knob.NONE;
  }
}
