package dev.signalbox.core.pool;

import java.util.Arrays;

/**
 * A percentile of the last {@code window} samples, kept sorted as they come: a new sample replaces
 * the oldest in place (a binary search and a shift each), so reading the percentile after every
 * answer costs no sort. Not thread-safe; its owner holds a lock.
 */
final class SlidingPercentile {
  private final double fraction;
  private final double[] arrival;
  private final double[] sorted;
  private long seen;

  /**
   * @param fraction the percentile as a fraction, such as 0.95
   * @param window how many of the latest samples it is taken over
   */
  SlidingPercentile(double fraction, int window) {
    this.fraction = fraction;
    this.arrival = new double[window];
    this.sorted = new double[window];
  }

  void add(double sample) {
    int size = size();
    int slot = (int) (seen % arrival.length);
    if (size == arrival.length) {
      int oldest = Arrays.binarySearch(sorted, 0, size, arrival[slot]);
      System.arraycopy(sorted, oldest + 1, sorted, oldest, size - oldest - 1);
      size--;
    }
    int at = Arrays.binarySearch(sorted, 0, size, sample);
    if (at < 0) {
      at = -at - 1;
    }
    System.arraycopy(sorted, at, sorted, at + 1, size - at);
    sorted[at] = sample;
    arrival[slot] = sample;
    seen++;
  }

  /** The nearest-rank percentile of the window, or NaN before the first sample. */
  double value() {
    int size = size();
    return size == 0 ? Double.NaN : sorted[(int) Math.ceil(fraction * size) - 1];
  }

  private int size() {
    return (int) Math.min(seen, arrival.length);
  }
}
