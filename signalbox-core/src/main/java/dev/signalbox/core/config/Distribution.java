package dev.signalbox.core.config;

import java.util.OptionalDouble;
import java.util.random.RandomGenerator;

/**
 * A log-normal distribution given by its median and 99th percentile, as simulated latencies and
 * lengths are usually described. A p99 equal to the median (or none) gives a constant.
 */
public record Distribution(
    @Range(min = 0, max = 1e9) double median, @Range(min = 0, max = 1e9) OptionalDouble p99) {
  private static final double Z_99 = 2.3263478740408408;

  public Distribution {
    if (p99.isPresent() && p99.getAsDouble() < median) {
      throw new ConfigProblem(
          "p99", "must be at least the median (" + median + "), was " + p99.getAsDouble());
    }
  }

  public Distribution(double median, double p99) {
    this(median, OptionalDouble.of(p99));
  }

  public static Distribution constant(double value) {
    return new Distribution(value, value);
  }

  public double p99Value() {
    return p99.orElse(median);
  }

  public double sample(RandomGenerator random) {
    double high = p99Value();
    if (median == 0 || high == median) {
      return median;
    }
    double sigma = Math.log(high / median) / Z_99;
    return median * Math.exp(sigma * random.nextGaussian());
  }
}
