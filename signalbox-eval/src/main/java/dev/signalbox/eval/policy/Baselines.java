package dev.signalbox.eval.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The baselines run beside every evaluation: each single model, random, the oracle, prompt length
 * and task prior.
 */
public final class Baselines {
  private Baselines() {}

  public static List<OfflinePolicy> all(List<String> models) {
    List<OfflinePolicy> baselines = new ArrayList<>();
    models.forEach(m -> baselines.add(new SingleModelPolicy(m)));
    baselines.add(new RandomMixPolicy());
    baselines.add(new PromptLengthPolicy());
    baselines.add(new TaskPriorPolicy());
    baselines.add(new OraclePolicy());
    return baselines;
  }
}
