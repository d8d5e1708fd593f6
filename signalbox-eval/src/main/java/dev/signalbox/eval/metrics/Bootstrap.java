package dev.signalbox.eval.metrics;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap of a mean: resample the values with replacement, take the 2.5th and 97.5th
 * percentiles.
 */
public final class Bootstrap {
  public static final int DEFAULT_RESAMPLES = 1_000;

  private Bootstrap() {}

  /** The 95% interval of the mean of {@code values}, {lower, upper}; the same for the same seed. */
  public static double[] interval(double[] values, int resamples, long seed) {
    if (values.length == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] means = new double[resamples];
    int n = values.length;
    for (int r = 0; r < resamples; r++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += values[random.nextInt(n)];
      }
      means[r] = sum / n;
    }
    Arrays.sort(means);
    return new double[] {percentile(means, 2.5), percentile(means, 97.5)};
  }

  /**
   * The p-th percentile of sorted values, interpolated linearly between ranks (numpy's default).
   */
  public static double percentile(double[] sorted, double p) {
    double position = p / 100.0 * (sorted.length - 1);
    int lower = (int) Math.floor(position);
    int upper = Math.min(lower + 1, sorted.length - 1);
    return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
  }
}
