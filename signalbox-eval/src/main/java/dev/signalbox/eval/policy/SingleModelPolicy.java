package dev.signalbox.eval.policy;

import dev.signalbox.eval.data.EvalPrompt;
import java.util.List;

/** Every prompt to one model: the points every router is measured against. */
public record SingleModelPolicy(String model) implements OfflinePolicy {
  @Override
  public String name() {
    return "only:" + model;
  }

  @Override
  public FittedPolicy fit(List<EvalPrompt> train, EvalContext context) {
    return prompt -> model;
  }
}
