package dev.signalbox.eval.data;

/**
 * The range a data set's qualities lie in: [0, 1] for correctness, [1, 10] for MT-Bench's judge.
 */
public record QualityScale(double min, double max) {
  public static final QualityScale UNIT = new QualityScale(0, 1);

  public boolean contains(double quality) {
    return Double.isFinite(quality) && quality >= min && quality <= max;
  }

  @Override
  public String toString() {
    return "[" + fmt(min) + ", " + fmt(max) + "]";
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
