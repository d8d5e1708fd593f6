package dev.signalbox.eval.metrics;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * RouteLLM's two-model metrics over a threshold sweep: cut-offs at the 10-quantile edges of the
 * router's score, APGR (the area under quality against strong share, normalised between weak-only
 * and strong-only) and CPT(p) (the strong share at which quality first reaches weak + p × (strong −
 * weak), interpolated).
 */
public final class ThresholdMetrics {
  public static final int BINS = 10;

  private ThresholdMetrics() {}

  /**
   * The {@code bins + 1} quantile edges of the scores (linear interpolation, duplicates kept, as
   * pandas' qcut computes them).
   */
  public static double[] edges(double[] scores, int bins) {
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    double[] edges = new double[bins + 1];
    for (int i = 0; i <= bins; i++) {
      edges[i] = Bootstrap.percentile(sorted, 100.0 * i / bins);
    }
    return edges;
  }

  /**
   * The threshold that gives RouteLLM's selection at edge {@code i}: strong when the score is
   * {@code >=} the edge, except {@code >} at the last edge.
   */
  public static double cutoff(double[] edges, int i) {
    return i == edges.length - 1 ? Math.nextUp(edges[i]) : edges[i];
  }

  /**
   * APGR: (area under quality vs strong share − weak × width) / ((strong − weak) × width), by the
   * trapezoid rule.
   */
  public static double apgr(List<CurvePoint> points, double weak, double strong) {
    List<CurvePoint> sorted = byShare(points);
    double area = 0;
    for (int i = 1; i < sorted.size(); i++) {
      CurvePoint a = sorted.get(i - 1);
      CurvePoint b = sorted.get(i);
      area += (b.strongShare() - a.strongShare()) * (a.quality() + b.quality()) / 2;
    }
    double width = sorted.get(sorted.size() - 1).strongShare() - sorted.get(0).strongShare();
    if (width <= 0 || strong == weak) {
      return Double.NaN;
    }
    return (area - weak * width) / ((strong - weak) * width);
  }

  /**
   * CPT(p): the strong share at which the curve, walked by rising share, first reaches the target;
   * NaN when it never does.
   */
  public static double cpt(List<CurvePoint> points, double weak, double strong, double p) {
    double target = weak + p * (strong - weak);
    List<CurvePoint> sorted = byShare(points);
    for (int i = 0; i < sorted.size(); i++) {
      CurvePoint b = sorted.get(i);
      if (b.quality() >= target) {
        if (i == 0) {
          return b.strongShare();
        }
        CurvePoint a = sorted.get(i - 1);
        double t = (target - a.quality()) / (b.quality() - a.quality());
        return a.strongShare() + t * (b.strongShare() - a.strongShare());
      }
    }
    return Double.NaN;
  }

  private static List<CurvePoint> byShare(List<CurvePoint> points) {
    return points.stream().sorted(Comparator.comparingDouble(CurvePoint::strongShare)).toList();
  }
}
