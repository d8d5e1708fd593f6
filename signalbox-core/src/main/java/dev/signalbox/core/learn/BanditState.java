package dev.signalbox.core.learn;

import java.util.List;

/**
 * A linear bandit's learned state, immutable and numbered: per arm, the inverse of its design
 * matrix A⁻¹ (kept by Sherman–Morrison updates) and the reward-weighted context sum b, so θ = A⁻¹b.
 * Every update makes a new version; a decision records the version it read.
 *
 * @param explored updates whose decision differed from the greedy choice, for the exploration
 *     budget
 */
public record BanditState(
    long version,
    List<String> arms,
    int dimensions,
    double[][][] inverse,
    double[][] rewards,
    long[] pulls,
    long updates,
    long explored) {
  public BanditState {
    arms = List.copyOf(arms);
  }

  /** No data yet: A = I (a ridge prior), b = 0. */
  public static BanditState initial(List<String> arms, int dimensions) {
    double[][][] inverse = new double[arms.size()][dimensions][dimensions];
    for (double[][] a : inverse) {
      for (int i = 0; i < dimensions; i++) {
        a[i][i] = 1;
      }
    }
    return new BanditState(
        0,
        arms,
        dimensions,
        inverse,
        new double[arms.size()][dimensions],
        new long[arms.size()],
        0,
        0);
  }

  public int arm(String model) {
    return arms.indexOf(model);
  }

  /** θ·x: the arm's expected reward for this context. */
  public double mean(int arm, double[] x) {
    double[] theta = multiply(inverse[arm], rewards[arm]);
    return dot(theta, x);
  }

  /** √(xᵀA⁻¹x): how uncertain that expectation is. */
  public double width(int arm, double[] x) {
    return Math.sqrt(Math.max(0, dot(x, multiply(inverse[arm], x))));
  }

  /** The next version, having seen {@code reward} for {@code arm} in context {@code x}. */
  public BanditState update(int arm, double[] x, double reward, boolean wasExploring) {
    double[][] a = inverse[arm];
    double[] ax = multiply(a, x);
    double denominator = 1 + dot(x, ax);
    double[][] next = new double[dimensions][dimensions];
    for (int i = 0; i < dimensions; i++) {
      for (int j = 0; j < dimensions; j++) {
        next[i][j] = a[i][j] - ax[i] * ax[j] / denominator;
      }
    }
    double[][][] inverses = inverse.clone();
    inverses[arm] = next;
    double[][] sums = rewards.clone();
    sums[arm] = rewards[arm].clone();
    for (int i = 0; i < dimensions; i++) {
      sums[arm][i] += reward * x[i];
    }
    long[] counts = pulls.clone();
    counts[arm]++;
    return new BanditState(
        version + 1,
        arms,
        dimensions,
        inverses,
        sums,
        counts,
        updates + 1,
        explored + (wasExploring ? 1 : 0));
  }

  private static double[] multiply(double[][] m, double[] v) {
    double[] out = new double[m.length];
    for (int i = 0; i < m.length; i++) {
      out[i] = dot(m[i], v);
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
