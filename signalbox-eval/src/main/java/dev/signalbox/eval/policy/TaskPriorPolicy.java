package dev.signalbox.eval.policy;

import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.EvalPrompt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The best model per task on the training part, the cheaper on ties; a task the training part lacks
 * (leave-task-out) gets the best model overall. It reads the task label, which no serving policy
 * may: it shows what knowing the task alone is worth. Its knob is a cost weight λ: per task, the
 * model maximising mean quality − λ × (quality range) × cost / (the dearest model's mean cost).
 */
public final class TaskPriorPolicy implements OfflinePolicy {
  static final double[] LAMBDAS = {0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 2, 5, 100};

  @Override
  public String name() {
    return "task-prior";
  }

  @Override
  public FittedPolicy fit(List<EvalPrompt> train, EvalContext context) {
    Map<String, List<EvalPrompt>> byTask = new HashMap<>();
    train.forEach(p -> byTask.computeIfAbsent(p.task(), t -> new ArrayList<>()).add(p));
    List<String> models = context.byCost(train);
    double dearCost = Dataset.meanCost(train, models.get(models.size() - 1));
    double range = context.dataset().scale().max() - context.dataset().scale().min();
    double costScale = dearCost > 0 ? range / dearCost : 0;
    Map<String, Means> taskMeans = new HashMap<>();
    byTask.forEach((task, prompts) -> taskMeans.put(task, Means.of(prompts, models)));
    Means overall = Means.of(train, models);
    List<Map<String, String>> choices = new ArrayList<>();
    List<String> fallback = new ArrayList<>();
    for (double lambda : LAMBDAS) {
      Map<String, String> perTask = new HashMap<>();
      taskMeans.forEach((task, means) -> perTask.put(task, means.pick(lambda * costScale)));
      choices.add(perTask);
      fallback.add(overall.pick(lambda * costScale));
    }
    List<String> labels = new ArrayList<>();
    for (double lambda : LAMBDAS) {
      labels.add(String.format(Locale.ROOT, "λ=%s", lambda));
    }
    return FittedPolicy.onGrid(
        labels,
        0,
        (prompt, setting) ->
            choices.get(setting).getOrDefault(prompt.task(), fallback.get(setting)));
  }

  /** Each model's mean quality and cost over some prompts, models cheapest first. */
  private record Means(List<String> models, double[] quality, double[] cost) {
    static Means of(List<EvalPrompt> prompts, List<String> cheapestFirst) {
      double[] quality =
          cheapestFirst.stream().mapToDouble(m -> Dataset.meanQuality(prompts, m)).toArray();
      double[] cost =
          cheapestFirst.stream().mapToDouble(m -> Dataset.meanCost(prompts, m)).toArray();
      return new Means(cheapestFirst, quality, cost);
    }

    /**
     * The model of best quality − weight × cost; the cheaper on ties, since models come cheapest
     * first.
     */
    String pick(double weight) {
      int best = 0;
      double bestValue = Double.NEGATIVE_INFINITY;
      for (int m = 0; m < models.size(); m++) {
        double value = quality[m] - weight * cost[m];
        if (value > bestValue + 1e-12) {
          best = m;
          bestValue = value;
        }
      }
      return models.get(best);
    }
  }
}
