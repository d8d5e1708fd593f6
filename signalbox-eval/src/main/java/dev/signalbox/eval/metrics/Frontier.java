package dev.signalbox.eval.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A policy's quality-cost frontier: the non-decreasing concave hull of its operating points (any
 * point on it is reachable by mixing two operating points at random). The evaluator adds the
 * cheapest single model's point to every policy's points, since sending everything there is always
 * an option; so the frontier starts at the cheapest budget, and a one-point policy's frontier is
 * the line from there to its point. AIQ is the frontier's mean height over cost from the cheapest
 * to the dearest single model; beyond its dearest point the frontier stays flat, and below its
 * cheapest point (only when it is cheaper than every single model's budget range) it is the floor.
 */
public final class Frontier {
  private final List<double[]> hull;
  private final double floor;

  private Frontier(List<double[]> hull, double floor) {
    this.hull = hull;
    this.floor = floor;
  }

  /**
   * The frontier of points given as {cost, quality}; {@code floor} is the lowest quality of the
   * scale.
   */
  public static Frontier of(List<double[]> points, double floor) {
    List<double[]> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> -p[1]));
    List<double[]> rising = new ArrayList<>();
    for (double[] p : sorted) {
      if (rising.isEmpty() || p[1] > rising.get(rising.size() - 1)[1]) {
        rising.add(p);
      }
    }
    List<double[]> hull = new ArrayList<>();
    for (double[] p : rising) {
      while (hull.size() >= 2
          && !turnsRight(hull.get(hull.size() - 2), hull.get(hull.size() - 1), p)) {
        hull.remove(hull.size() - 1);
      }
      hull.add(p);
    }
    return new Frontier(hull, floor);
  }

  /** Whether a → b → c bends downward (keeps the hull concave). */
  private static boolean turnsRight(double[] a, double[] b, double[] c) {
    double cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
    return cross < 0;
  }

  public List<double[]> hull() {
    return List.copyOf(hull);
  }

  /** The frontier's quality at a cost. */
  public double at(double cost) {
    if (cost < hull.get(0)[0]) {
      return floor;
    }
    for (int i = 1; i < hull.size(); i++) {
      double[] a = hull.get(i - 1);
      double[] b = hull.get(i);
      if (cost <= b[0]) {
        return a[1] + (cost - a[0]) / (b[0] - a[0]) * (b[1] - a[1]);
      }
    }
    return hull.get(hull.size() - 1)[1];
  }

  /**
   * The area under the frontier for cost from {@code low} to {@code high}, divided by the width.
   */
  public double aiq(double low, double high) {
    if (!(high > low)) {
      return at(low);
    }
    List<Double> xs = new ArrayList<>(List.of(low, high));
    hull.forEach(
        p -> {
          if (p[0] > low && p[0] < high) {
            xs.add(p[0]);
          }
        });
    xs.sort(null);
    double start = hull.get(0)[0];
    double area = 0;
    for (int i = 1; i < xs.size(); i++) {
      double a = xs.get(i - 1);
      double b = xs.get(i);
      area += (b - a) * (a < start ? floor : (at(a) + at(b)) / 2);
    }
    return area / (high - low);
  }

  /** The least cost at which the frontier reaches {@code quality}; NaN when it never does. */
  public double costToReach(double quality) {
    if (hull.get(0)[1] >= quality) {
      return hull.get(0)[0];
    }
    for (int i = 1; i < hull.size(); i++) {
      double[] a = hull.get(i - 1);
      double[] b = hull.get(i);
      if (b[1] >= quality) {
        return a[0] + (quality - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
      }
    }
    return Double.NaN;
  }
}
