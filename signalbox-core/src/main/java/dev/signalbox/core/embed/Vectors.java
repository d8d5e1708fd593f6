package dev.signalbox.core.embed;

import java.util.List;

/** Small vector arithmetic over {@code float[]} embeddings. */
public final class Vectors {
  private Vectors() {}

  /**
   * The dot product; four running sums let the CPU overlap the additions (a kNN search is mostly
   * this).
   */
  public static float dot(float[] a, float[] b) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < a.length; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < a.length; i++) {
      s0 += a[i] * b[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** The mean of {@code vectors}, scaled to unit length. */
  public static float[] meanDirection(List<float[]> vectors) {
    float[] mean = new float[vectors.get(0).length];
    for (float[] vector : vectors) {
      for (int d = 0; d < mean.length; d++) {
        mean[d] += vector[d];
      }
    }
    return normalised(mean);
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
