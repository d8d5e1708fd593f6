package dev.signalbox.tune;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * How well predicted scores order prompts for routing, the measure the tuner chooses its epoch by.
 * For each pair of models, prompts are sent to the first model in the order of its predicted
 * advantage over the second, and the area under the quality gained over a random order is divided
 * by the area the true advantages' own order gives (so 1 is the oracle's order and 0 a random one).
 * For two models this ranks epochs as APGR does (Ong et al., RouteLLM, 2024: the area under the
 * quality curve over the share sent to the strong model), the measure a threshold route is judged
 * by, where a cross-entropy loss counts every prompt's calibration alike. The result is the mean
 * over the pairs whose advantage is not the same on every prompt.
 */
public final class RankingGain {
  private RankingGain() {}

  /**
   * @param predicted per prompt, each model's predicted quality
   * @param quality per prompt, each model's quality as measured
   * @return the mean normalised gain over pairs of models, or NaN when no pair's advantage varies
   */
  public static double of(double[][] predicted, double[][] quality) {
    if (predicted.length != quality.length) {
      throw new IllegalArgumentException("one prediction per measured prompt");
    }
    if (predicted.length == 0) {
      return Double.NaN;
    }
    int models = quality[0].length;
    double sum = 0;
    int pairs = 0;
    for (int a = 0; a < models; a++) {
      for (int b = a + 1; b < models; b++) {
        double[] score = difference(predicted, a, b);
        double[] advantage = difference(quality, a, b);
        double best = area(advantage, advantage);
        if (best > 1e-12) {
          sum += area(score, advantage) / best;
          pairs++;
        }
      }
    }
    return pairs == 0 ? Double.NaN : sum / pairs;
  }

  private static double[] difference(double[][] rows, int a, int b) {
    return Arrays.stream(rows).mapToDouble(row -> row[a] - row[b]).toArray();
  }

  /**
   * The area under the cumulative advantage over a random order, taking prompts by descending
   * score; ties in the score are taken in the mean of their advantages, so no order within them is
   * favoured.
   */
  private static double area(double[] score, double[] advantage) {
    int n = score.length;
    double mean = Arrays.stream(advantage).sum() / n;
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> score[i]).reversed());
    double area = 0;
    double gained = 0;
    int taken = 0;
    int from = 0;
    while (from < n) {
      int to = from;
      double tied = 0;
      while (to < n && score[order[to]] == score[order[from]]) {
        tied += advantage[order[to]];
        to++;
      }
      double each = tied / (to - from);
      for (int k = from; k < to; k++) {
        gained += each;
        taken++;
        area += gained - taken * mean;
      }
      from = to;
    }
    return area;
  }
}
