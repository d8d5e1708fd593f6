package dev.signalbox.core.learn;

import dev.signalbox.core.embed.NearestNeighbours;
import java.util.List;

/**
 * The mean quality of the k labelled prompts nearest by cosine, smoothed toward each model's prior
 * with {@code smoothing} pseudo-prompts: RouterBench's KNN router (Hu et al., 2024), with the
 * shrinkage of TwinRouterBench's SR-KNN so that a few neighbours cannot swing a prediction to 0 or
 * 1. The search is exact ({@link NearestNeighbours}): the same neighbours as a full scan, so a
 * decision replays the same however the search is done.
 */
public final class KnnScorer implements QualityScorer {
  private final List<String> models;
  private final int k;
  private final double smoothing;
  private final double[] prior;
  private final float[][] vectors;
  private final double[][] quality;
  private final NearestNeighbours search;

  public KnnScorer(
      List<String> models,
      int k,
      double smoothing,
      double[] prior,
      float[][] vectors,
      double[][] quality) {
    if (k < 1 || vectors.length == 0) {
      throw new IllegalArgumentException("knn needs k >= 1 and at least one labelled prompt");
    }
    this.models = List.copyOf(models);
    this.k = k;
    this.smoothing = smoothing;
    this.prior = prior;
    this.vectors = vectors;
    this.quality = quality;
    this.search = NearestNeighbours.over(vectors);
  }

  public static KnnScorer fit(TrainingSet data, int k, double smoothing) {
    return new KnnScorer(
        data.models(),
        Math.min(k, data.size()),
        smoothing,
        data.meanQuality(),
        data.embeddings(),
        data.quality());
  }

  @Override
  public List<String> models() {
    return models;
  }

  public int k() {
    return k;
  }

  public double smoothing() {
    return smoothing;
  }

  public double[] prior() {
    return prior;
  }

  public float[][] vectors() {
    return vectors;
  }

  public double[][] quality() {
    return quality;
  }

  @Override
  public String kind() {
    return "knn";
  }

  @Override
  public double[] predict(float[] embedding, double[] features) {
    int[] nearest = nearest(embedding);
    double[] predicted = new double[models.size()];
    for (int m = 0; m < predicted.length; m++) {
      double sum = smoothing * prior[m];
      for (int i : nearest) {
        sum += quality[i][m];
      }
      predicted[m] = sum / (nearest.length + smoothing);
    }
    return predicted;
  }

  /**
   * The indexes of the k most similar prompts; ties go to the earlier prompt, so results are
   * stable.
   */
  int[] nearest(float[] embedding) {
    return search.nearest(embedding, k);
  }
}
