package dev.signalbox.eval.replay;

import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Estimates what a deterministic target policy would have earned on logged decisions: inverse
 * propensity scoring (IPS), its self-normalised form (SNIPS) and the doubly robust estimator (DR)
 * whose reward model is a cross-fitted kNN over the logged outcomes (Dudík, Langford and Li, 2011).
 * Each comes with a 95% normal interval (SNIPS by the delta method) and the effective sample size.
 * A target choice the logging policy could not have made (probability 0) makes every estimate
 * meaningless, so it is refused.
 */
public final class OffPolicyEstimator {
  /** One estimate with its 95% interval. */
  public record Estimate(String name, double value, double low, double high) {}

  /**
   * The estimates over the logged decisions.
   *
   * @param matched how many logged decisions the target agrees with (its outcome is then known)
   * @param effectiveSampleSize (Σw)² / Σw² of the importance weights
   */
  public record Result(
      int decisions,
      int matched,
      double effectiveSampleSize,
      Estimate ips,
      Estimate snips,
      Estimate doublyRobust) {}

  private static final double Z95 = 1.959963984540054;

  private final int neighbours;
  private final int folds;
  private final long seed;

  public OffPolicyEstimator(int neighbours, int folds, long seed) {
    this.neighbours = neighbours;
    this.folds = folds;
    this.seed = seed;
  }

  public Result estimate(List<LoggedDecision> log, Function<LoggedDecision, String> target) {
    int n = log.size();
    if (n == 0) {
      throw new IllegalArgumentException("no logged decisions to estimate from");
    }
    String[] chosen = new String[n];
    double[] weights = new double[n];
    int matched = 0;
    for (int i = 0; i < n; i++) {
      LoggedDecision d = log.get(i);
      chosen[i] = target.apply(d);
      double logged = d.probabilityOf(chosen[i]);
      if (Double.isNaN(logged)) {
        throw new IllegalArgumentException(
            "decision "
                + i
                + ": the logging policy's probability of '"
                + chosen[i]
                + "' is unknown (only the chosen model's was logged); replay the logging policy to"
                + " get every candidate's");
      }
      if (logged == 0) {
        throw new IllegalArgumentException(
            "decision "
                + i
                + ": the target chooses '"
                + chosen[i]
                + "', which the logging policy could not have chosen (probability 0); no estimate"
                + " can account for it");
      }
      boolean same = chosen[i].equals(d.action());
      matched += same ? 1 : 0;
      weights[i] = same ? 1 / d.propensity() : 0;
    }
    double[] ipsTerms = new double[n];
    double weightSum = 0;
    double weightSquares = 0;
    for (int i = 0; i < n; i++) {
      ipsTerms[i] = weights[i] * log.get(i).reward();
      weightSum += weights[i];
      weightSquares += weights[i] * weights[i];
    }
    Estimate ips = meanInterval("ips", ipsTerms);
    Estimate snips = snips(log, weights, weightSum);
    double[] drTerms = doublyRobustTerms(log, chosen, weights);
    Estimate dr = meanInterval("dr", drTerms);
    double ess = weightSquares == 0 ? 0 : weightSum * weightSum / weightSquares;
    return new Result(n, matched, ess, ips, snips, dr);
  }

  private static Estimate meanInterval(String name, double[] terms) {
    int n = terms.length;
    double mean = 0;
    for (double t : terms) {
      mean += t;
    }
    mean /= n;
    double variance = 0;
    for (double t : terms) {
      variance += (t - mean) * (t - mean);
    }
    variance /= Math.max(1, n - 1);
    double half = Z95 * Math.sqrt(variance / n);
    return new Estimate(name, mean, mean - half, mean + half);
  }

  private static Estimate snips(List<LoggedDecision> log, double[] weights, double weightSum) {
    int n = weights.length;
    if (weightSum == 0) {
      return new Estimate("snips", Double.NaN, Double.NaN, Double.NaN);
    }
    double value = 0;
    for (int i = 0; i < n; i++) {
      value += weights[i] * log.get(i).reward();
    }
    value /= weightSum;
    double meanWeight = weightSum / n;
    double variance = 0;
    for (int i = 0; i < n; i++) {
      double influence = weights[i] * (log.get(i).reward() - value) / meanWeight;
      variance += influence * influence;
    }
    variance /= Math.max(1, n - 1);
    double half = Z95 * Math.sqrt(variance / n);
    return new Estimate("snips", value, value - half, value + half);
  }

  /** r̂(x, π(x)) + w (r − r̂(x, a)), with r̂ fitted on the other folds only. */
  private double[] doublyRobustTerms(List<LoggedDecision> log, String[] chosen, double[] weights) {
    int n = log.size();
    int[] fold = new int[n];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      fold[i] = random.nextInt(folds);
    }
    double[] terms = new double[n];
    for (int i = 0; i < n; i++) {
      LoggedDecision d = log.get(i);
      double predicted = predict(log, fold, fold[i], d.features(), chosen[i]);
      // The correction needs r̂(x, a) only where the weight is not 0, that is where a is the
      // target's choice.
      terms[i] = predicted + weights[i] * (d.reward() - predicted);
    }
    return terms;
  }

  /**
   * The mean reward of the nearest logged decisions outside {@code heldOut} that chose {@code
   * action}.
   */
  private double predict(
      List<LoggedDecision> log, int[] fold, int heldOut, double[] x, String action) {
    // The k nearest so far, farthest on top.
    PriorityQueue<double[]> near =
        new PriorityQueue<>(Comparator.comparingDouble((double[] p) -> p[0]).reversed());
    for (int j = 0; j < log.size(); j++) {
      LoggedDecision other = log.get(j);
      if (fold[j] != heldOut && other.action().equals(action)) {
        near.add(new double[] {distance(x, other.features()), other.reward()});
        if (near.size() > neighbours) {
          near.poll();
        }
      }
    }
    if (near.isEmpty()) {
      return 0;
    }
    double sum = 0;
    for (double[] p : near) {
      sum += p[1];
    }
    return sum / near.size();
  }

  private static double distance(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return sum;
  }
}
