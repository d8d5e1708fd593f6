package dev.signalbox.core.learn;

import dev.signalbox.core.embed.Vectors;
import java.util.SplittableRandom;

/**
 * Spherical k-means (cosine) with k-means++ seeding, seeded: the clusters a bandit's context reads.
 */
public final class KMeans {
  private KMeans() {}

  public static float[][] fit(float[][] vectors, int k, int iterations, long seed) {
    if (k <= 0 || vectors.length == 0) {
      return new float[0][];
    }
    k = Math.min(k, vectors.length);
    SplittableRandom random = new SplittableRandom(seed);
    int dimensions = vectors[0].length;
    float[][] centroids = new float[k][];
    centroids[0] = vectors[random.nextInt(vectors.length)].clone();
    double[] distance = new double[vectors.length];
    for (int c = 1; c < k; c++) {
      double total = 0;
      for (int i = 0; i < vectors.length; i++) {
        double nearest = Double.MAX_VALUE;
        for (int j = 0; j < c; j++) {
          nearest = Math.min(nearest, 1 - Vectors.dot(vectors[i], centroids[j]));
        }
        distance[i] = Math.max(nearest, 0);
        total += distance[i];
      }
      double draw = random.nextDouble() * total;
      int chosen = vectors.length - 1;
      for (int i = 0; i < vectors.length; i++) {
        draw -= distance[i];
        if (draw <= 0) {
          chosen = i;
          break;
        }
      }
      centroids[c] = vectors[chosen].clone();
    }
    int[] assignment = new int[vectors.length];
    for (int iteration = 0; iteration < iterations; iteration++) {
      float[][] sums = new float[k][dimensions];
      for (int i = 0; i < vectors.length; i++) {
        assignment[i] = nearest(centroids, vectors[i]);
        float[] sum = sums[assignment[i]];
        for (int d = 0; d < dimensions; d++) {
          sum[d] += vectors[i][d];
        }
      }
      for (int c = 0; c < k; c++) {
        if (Vectors.dot(sums[c], sums[c]) > 0) {
          centroids[c] = Vectors.normalised(sums[c]);
        }
      }
    }
    return centroids;
  }

  static int nearest(float[][] centroids, float[] vector) {
    int best = 0;
    float bestSimilarity = Float.NEGATIVE_INFINITY;
    for (int c = 0; c < centroids.length; c++) {
      float similarity = Vectors.dot(vector, centroids[c]);
      if (similarity > bestSimilarity) {
        best = c;
        bestSimilarity = similarity;
      }
    }
    return best;
  }
}
