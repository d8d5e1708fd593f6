package dev.signalbox.core.learn;

import java.util.Arrays;

/**
 * The cheapest threshold whose quality meets a target with a given confidence, by Learn then Test
 * (Angelopoulos, Bates, Candès, Jordan and Lei, "Learn then Test: Calibrating Predictive Algorithms
 * to Achieve Risk Control", 2021, arXiv:2110.01052). Each candidate threshold is the hypothesis
 * "its quality misses the target", tested on held-out prompts with a one-sided p-value. Fixed
 * sequence testing, from the threshold that calls the strong model most to the one that calls it
 * least, rejects until the first hypothesis it cannot reject: the family-wise error is then at most
 * {@code 1 - confidence} with no correction for how many thresholds there are, so with that
 * probability over the held-out prompts every threshold it keeps, the cheapest among them included,
 * meets the target.
 *
 * <p>The p-value is the normal one of the mean per-prompt margin (the route's quality on a prompt
 * minus the target; for a target relative to a reference model, minus the target's share of that
 * model's quality on the same prompt, which pairs the two and narrows the bound), valid as the
 * held-out set grows (the paper's asymptotic p-values); a distribution-free Hoeffding p-value would
 * spend about five times the margin on a thousand prompts.
 */
public final class QualityGuarantee {
  private QualityGuarantee() {}

  /**
   * The threshold picked and what the held-out prompts said of it.
   *
   * @param met false when even the strong model on every prompt could not be shown to meet the
   *     target: the threshold is then the one that calls it on every prompt
   * @param margin the held-out mean margin at that threshold (quality minus what was promised)
   */
  public record Pick(double threshold, boolean met, double margin, int prompts) {}

  /**
   * @param wins each held-out prompt's win score (strong is called at or above the threshold)
   * @param strong, weak each prompt's quality from the strong and the weak model (0-1)
   * @param reference the reference model's quality per prompt, or null for an absolute target
   * @param target the share of the reference's quality, or the absolute quality
   */
  public static Pick pick(
      double[] wins,
      double[] strong,
      double[] weak,
      double[] reference,
      double target,
      double confidence) {
    int n = wins.length;
    double[] thresholds = Arrays.stream(wins).sorted().distinct().toArray();
    double[] candidates = Arrays.copyOf(thresholds, thresholds.length + 1);
    candidates[thresholds.length] = Double.POSITIVE_INFINITY; // the weak model alone
    double alpha = 1 - confidence;
    Pick kept = null;
    for (double t : candidates) {
      double sum = 0;
      double squares = 0;
      for (int i = 0; i < n; i++) {
        double quality = wins[i] >= t ? strong[i] : weak[i];
        double margin = quality - target * (reference == null ? 1 : reference[i]);
        sum += margin;
        squares += margin * margin;
      }
      double mean = sum / n;
      if (pValue(mean, squares / n - mean * mean, n) > alpha) {
        break; // the fixed sequence stops at the first threshold it cannot vouch for
      }
      kept = new Pick(t, true, mean, n);
    }
    if (kept != null) {
      return kept;
    }
    double all = candidates[0];
    double margin = 0;
    for (int i = 0; i < n; i++) {
      margin += (strong[i] - target * (reference == null ? 1 : reference[i])) / n;
    }
    return new Pick(all, false, margin, n);
  }

  /** The one-sided p-value of "the mean margin is below 0", from the normal approximation. */
  static double pValue(double mean, double variance, int n) {
    if (n < 2) {
      return 1;
    }
    double unbiased = variance * n / (n - 1);
    if (unbiased <= 0) {
      return mean > 0 ? 0 : 1;
    }
    return upperTail(mean / Math.sqrt(unbiased / n));
  }

  /** P(Z > z) for a standard normal Z (Numerical Recipes' erfc, relative error under 1.2e-7). */
  static double upperTail(double z) {
    double x = z / Math.sqrt(2);
    double t = 1 / (1 + 0.5 * Math.abs(x));
    double erfc =
        t
            * Math.exp(
                -x * x
                    - 1.26551223
                    + t
                        * (1.00002368
                            + t
                                * (0.37409196
                                    + t
                                        * (0.09678418
                                            + t
                                                * (-0.18628806
                                                    + t
                                                        * (0.27886807
                                                            + t
                                                                * (-1.13520398
                                                                    + t
                                                                        * (1.48851587
                                                                            + t
                                                                                * (-0.82215223
                                                                                    + t
                                                                                        * 0.17087277)))))))));
    return x >= 0 ? erfc / 2 : 1 - erfc / 2;
  }
}
