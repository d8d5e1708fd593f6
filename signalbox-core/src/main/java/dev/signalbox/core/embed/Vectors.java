package dev.signalbox.core.embed;

/** Small vector arithmetic over {@code float[]} embeddings. */
public final class Vectors {
  private Vectors() {}

  public static float dot(float[] a, float[] b) {
    float sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  /** {@code v} scaled to unit length in place (a zero vector stays zero), returned for chaining. */
  public static float[] normalised(float[] v) {
    double norm = Math.sqrt(dot(v, v));
    if (norm > 0) {
      for (int i = 0; i < v.length; i++) {
        v[i] /= (float) norm;
      }
    }
    return v;
  }
}
