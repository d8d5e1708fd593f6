package dev.signalbox.core.config;

import java.util.random.RandomGenerator;

/**
 * A log-normal distribution given by its median and 99th percentile, as simulated latencies and
 * lengths are usually described. A p99 equal to the median gives a constant.
 */
public record Distribution(double median, double p99) {
  private static final double Z_99 = 2.3263478740408408;

  public Distribution {
    if (!(median >= 0) || !(p99 >= median)) {
      throw new IllegalArgumentException("need 0 <= median <= p99, got " + median + ", " + p99);
    }
  }

  public static Distribution constant(double value) {
    return new Distribution(value, value);
  }

  public double sample(RandomGenerator random) {
    if (median == 0 || p99 == median) {
      return median;
    }
    double sigma = Math.log(p99 / median) / Z_99;
    return median * Math.exp(sigma * random.nextGaussian());
  }
}
