package dev.signalbox.eval;

import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.EvalPrompt;
import dev.signalbox.eval.metrics.Bootstrap;
import dev.signalbox.eval.metrics.CurvePoint;
import dev.signalbox.eval.metrics.Frontier;
import dev.signalbox.eval.metrics.ThresholdMetrics;
import dev.signalbox.eval.policy.EvalContext;
import dev.signalbox.eval.policy.FittedPolicy;
import dev.signalbox.eval.policy.Knob;
import dev.signalbox.eval.policy.OfflinePolicy;
import dev.signalbox.eval.policy.RandomMixPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Runs policies over a priced data set: fits each on every fold's training part, asks it about the
 * fold's test prompts, pools the test answers of all folds, and scores them (see docs/evaluation.md
 * for every metric's definition).
 */
public final class Evaluator {
  /** Told after each policy has run on each fold. */
  public interface Progress {
    void step(String policy, String fold);
  }

  private final Dataset data;
  private final EvalContext context;
  private final Split split;
  private final List<Split.Fold> folds;
  private final int resamples;
  private final List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();

  public Evaluator(Dataset data, EvalContext context, Split split, int resamples) {
    this.data = data;
    this.context = context;
    this.split = split;
    this.folds = split.folds(data.prompts(), context.seed());
    this.resamples = resamples;
  }

  public List<Split.Fold> folds() {
    return folds;
  }

  public EvalReport run(List<OfflinePolicy> policies, Progress progress) {
    List<EvalPrompt> test = new ArrayList<>();
    folds.forEach(f -> test.addAll(f.test()));
    String strong = "";
    String weak = "";
    if (data.twoModels()) {
      List<String> m = data.models();
      boolean firstStronger =
          Dataset.meanQuality(test, m.get(0)) > Dataset.meanQuality(test, m.get(1));
      strong = firstStronger ? m.get(0) : m.get(1);
      weak = firstStronger ? m.get(1) : m.get(0);
    }
    double cheapest = Double.POSITIVE_INFINITY;
    double dearest = Double.NEGATIVE_INFINITY;
    double bestQuality = Double.NEGATIVE_INFINITY;
    double[] cheapestPoint = null;
    for (String model : data.models()) {
      double cost = Dataset.meanCost(test, model);
      if (cost < cheapest
          || (cost == cheapest && Dataset.meanQuality(test, model) > cheapestPoint[1])) {
        cheapestPoint = new double[] {cost, Dataset.meanQuality(test, model)};
      }
      cheapest = Math.min(cheapest, cost);
      dearest = Math.max(dearest, Dataset.meanCost(test, model));
      bestQuality = Math.max(bestQuality, Dataset.meanQuality(test, model));
    }
    Scoring scoring = new Scoring(test, strong, weak, cheapestPoint, dearest, bestQuality);
    List<PolicyEvaluation> results = new ArrayList<>();
    List<PromiseCheck> promises = new ArrayList<>();
    for (OfflinePolicy policy : policies) {
      Answers answers = run(policy, test.size(), progress);
      PolicyEvaluation evaluation = scoring.evaluate(policy, answers);
      results.add(evaluation);
      if (answers.fitted().length > 0) {
        answers
            .fitted()[0]
            .promise()
            .ifPresent(
                target ->
                    promises.add(
                        PromiseCheck.of(
                            policy.name(),
                            target,
                            test,
                            answers.choices(),
                            evaluation.costUsd(),
                            data.scale())));
      }
    }
    PolicyEvaluation random =
        results.stream()
            .filter(r -> r.name().equals(RandomMixPolicy.NAME))
            .findFirst()
            .orElse(null);
    List<PolicyEvaluation> withRandom =
        results.stream()
            .map(r -> random == null ? r : r.withRandomAtCost(randomAt(random, r.costPerPrompt())))
            .toList();
    List<String> allNotes = new ArrayList<>(data.notes());
    allNotes.addAll(notes);
    return new EvalReport(
        data.name(),
        data.source(),
        split.toString(),
        context.seed(),
        test.size(),
        data.models(),
        strong,
        weak,
        allNotes,
        withRandom,
        promises);
  }

  /**
   * The choices of one policy on every test prompt, and the fitted policy (with its knob) each
   * prompt's fold gave.
   */
  private record Answers(String[] choices, FittedPolicy[] fitted) {}

  private Answers run(OfflinePolicy policy, int size, Progress progress) {
    String[] choices = new String[size];
    FittedPolicy[] fits = new FittedPolicy[size];
    int offset = 0;
    for (Split.Fold fold : folds) {
      FittedPolicy fitted = policy.fit(fold.train(), context);
      fitted
          .notes()
          .forEach(note -> notes.add(policy.name() + ", fold " + fold.name() + ": " + note));
      List<EvalPrompt> test = fold.test();
      int base = offset;
      IntStream.range(0, test.size())
          .parallel()
          .forEach(
              i -> {
                choices[base + i] = fitted.choose(test.get(i));
                fits[base + i] = fitted;
              });
      offset += test.size();
      progress.step(policy.name(), fold.name());
    }
    return new Answers(choices, fits);
  }

  /**
   * The random mix's quality at a cost: its points joined by straight lines, flat beyond both ends.
   */
  private static double randomAt(PolicyEvaluation random, double cost) {
    List<CurvePoint> line =
        random.points().stream().sorted(Comparator.comparingDouble(CurvePoint::cost)).toList();
    if (cost <= line.get(0).cost()) {
      return line.get(0).quality();
    }
    for (int i = 1; i < line.size(); i++) {
      CurvePoint a = line.get(i - 1);
      CurvePoint b = line.get(i);
      if (cost <= b.cost()) {
        return b.cost() == a.cost()
            ? b.quality()
            : a.quality() + (cost - a.cost()) / (b.cost() - a.cost()) * (b.quality() - a.quality());
      }
    }
    return line.get(line.size() - 1).quality();
  }

  /** Turns a policy's answers into its metrics. */
  private final class Scoring {
    private final List<EvalPrompt> test;
    private final String strong;
    private final String weak;
    private final double[] cheapest;
    private final double dearest;
    private final double bestQuality;

    Scoring(
        List<EvalPrompt> test,
        String strong,
        String weak,
        double[] cheapest,
        double dearest,
        double bestQuality) {
      this.test = test;
      this.strong = strong;
      this.weak = weak;
      this.cheapest = cheapest;
      this.dearest = dearest;
      this.bestQuality = bestQuality;
    }

    PolicyEvaluation evaluate(OfflinePolicy policy, Answers answers) {
      int n = test.size();
      String[] choices = answers.choices();
      double[] quality = new double[n];
      double cost = 0;
      double latency = 0;
      boolean latencyKnown = true;
      Map<String, Double> shares = new LinkedHashMap<>();
      data.models().forEach(m -> shares.put(m, 0.0));
      for (int i = 0; i < n; i++) {
        EvalPrompt prompt = test.get(i);
        quality[i] = prompt.quality(choices[i]);
        cost += answers.fitted()[i].cost(prompt, choices[i]);
        var recorded = prompt.outcome(choices[i]).latencyMillis();
        latencyKnown &= recorded.isPresent();
        latency += recorded.orElse(0);
        shares.merge(choices[i], 1.0, Double::sum);
      }
      shares.replaceAll((model, calls) -> calls / n);
      double mean = mean(quality);
      double[] ci = Bootstrap.interval(quality, resamples, context.seed());
      List<CurvePoint> points = new ArrayList<>();
      points.add(
          new CurvePoint(
              "configured", strong.isEmpty() ? Double.NaN : shares.get(strong), cost / n, mean));
      points.addAll(sweep(answers.fitted()));
      List<double[]> costQuality =
          new ArrayList<>(points.stream().map(p -> new double[] {p.cost(), p.quality()}).toList());
      costQuality.add(cheapest);
      Frontier frontier = Frontier.of(costQuality, data.scale().min());
      double apgr = Double.NaN;
      double cpt50 = Double.NaN;
      double cpt80 = Double.NaN;
      if (!strong.isEmpty() && points.size() > 2) {
        List<CurvePoint> knobPoints = points.subList(1, points.size());
        double qs = Dataset.meanQuality(test, strong);
        double qw = Dataset.meanQuality(test, weak);
        apgr = ThresholdMetrics.apgr(knobPoints, qw, qs);
        cpt50 = ThresholdMetrics.cpt(knobPoints, qw, qs, 0.5);
        cpt80 = ThresholdMetrics.cpt(knobPoints, qw, qs, 0.8);
      }
      return new PolicyEvaluation(
          policy.name(),
          policy.kind(),
          n,
          mean,
          ci[0],
          ci[1],
          cost,
          cost / n,
          shares,
          latencyKnown ? latency / n : Double.NaN,
          points,
          frontier.hull(),
          frontier.aiq(cheapest[0], dearest),
          apgr,
          cpt50,
          cpt80,
          frontier.costToReach(0.95 * bestQuality),
          frontier.costToReach(bestQuality),
          Double.NaN);
    }

    private List<CurvePoint> sweep(FittedPolicy[] fitted) {
      // One knob per fold: every prompt of a fold shares its fitted policy.
      java.util.IdentityHashMap<FittedPolicy, Knob> perFold = new java.util.IdentityHashMap<>();
      Knob[] knobs =
          Arrays.stream(fitted)
              .map(f -> perFold.computeIfAbsent(f, FittedPolicy::knob))
              .toArray(Knob[]::new);
      if (knobs.length == 0 || knobs[0] instanceof Knob.None) {
        return List.of();
      }
      List<CurvePoint> points = new ArrayList<>();
      if (knobs[0] instanceof Knob.Threshold) {
        double[] scores =
            IntStream.range(0, test.size())
                .parallel()
                .mapToDouble(i -> ((Knob.Threshold) knobs[i]).score(test.get(i)))
                .toArray();
        double[] edges = ThresholdMetrics.edges(scores, ThresholdMetrics.BINS);
        for (int e = 0; e < edges.length; e++) {
          double cutoff = ThresholdMetrics.cutoff(edges, e);
          points.add(
              point(
                  String.format(Locale.ROOT, "t=%.4g", edges[e]),
                  fitted,
                  i -> ((Knob.Threshold) knobs[i]).chooseAt(test.get(i), cutoff)));
        }
      } else if (knobs[0] instanceof Knob.Grid grid) {
        for (int s = 0; s < grid.labels().size(); s++) {
          int setting = s;
          points.add(
              point(
                  grid.labels().get(s),
                  fitted,
                  i -> ((Knob.Grid) knobs[i]).chooseAt(test.get(i), setting)));
        }
      }
      return points;
    }

    private CurvePoint point(String label, FittedPolicy[] fitted, IntFunction<String> choice) {
      String[] chosen =
          IntStream.range(0, test.size()).parallel().mapToObj(choice).toArray(String[]::new);
      double quality = 0;
      double cost = 0;
      int strongCalls = 0;
      for (int i = 0; i < chosen.length; i++) {
        quality += test.get(i).quality(chosen[i]);
        cost += fitted[i].cost(test.get(i), chosen[i]);
        strongCalls += chosen[i].equals(strong) ? 1 : 0;
      }
      int n = chosen.length;
      return new CurvePoint(
          label, strong.isEmpty() ? Double.NaN : strongCalls / (double) n, cost / n, quality / n);
    }
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return values.length == 0 ? Double.NaN : sum / values.length;
  }
}
