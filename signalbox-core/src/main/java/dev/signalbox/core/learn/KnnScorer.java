package dev.signalbox.core.learn;

import dev.signalbox.core.embed.Vectors;
import java.util.List;

/**
 * The mean quality of the k labelled prompts nearest by cosine, smoothed toward each model's prior
 * with {@code smoothing} pseudo-prompts: RouterBench's KNN router (Hu et al., 2024), with the
 * shrinkage of TwinRouterBench's SR-KNN so that a few neighbours cannot swing a prediction to 0 or
 * 1. Exhaustive search: exact, and on 2 cores about a millisecond over 10,000 prompts.
 */
public record KnnScorer(
    List<String> models,
    int k,
    double smoothing,
    double[] prior,
    float[][] vectors,
    double[][] quality)
    implements QualityScorer {
  public KnnScorer {
    models = List.copyOf(models);
    if (k < 1 || vectors.length == 0) {
      throw new IllegalArgumentException("knn needs k >= 1 and at least one labelled prompt");
    }
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
    int size = Math.min(k, vectors.length);
    int[] best = new int[size];
    float[] bestSimilarity = new float[size];
    int filled = 0;
    for (int i = 0; i < vectors.length; i++) {
      float similarity = Vectors.dot(embedding, vectors[i]);
      if (filled == size && similarity <= bestSimilarity[size - 1]) {
        continue;
      }
      int at = filled < size ? filled++ : size - 1;
      while (at > 0 && bestSimilarity[at - 1] < similarity) {
        best[at] = best[at - 1];
        bestSimilarity[at] = bestSimilarity[at - 1];
        at--;
      }
      best[at] = i;
      bestSimilarity[at] = similarity;
    }
    return best;
  }
}
