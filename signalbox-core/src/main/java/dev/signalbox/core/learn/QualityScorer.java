package dev.signalbox.core.learn;

import java.util.List;

/** Predicts how well each model would answer a prompt, from its embedding and cheap features. */
public sealed interface QualityScorer
    permits KnnScorer, MatrixFactorisation, LogisticScorer, MlpScorer, BlendScorer {
  /**
   * {@code knn}, {@code mf}, {@code logistic}, {@code mlp}, or a blend's parts joined by {@code +}
   * ({@code knn+mlp}, {@code knn+logistic}, {@code knn+mlp+logistic}).
   */
  String kind();

  List<String> models();

  /** Whether {@link #predict} reads the cheap features (the others are given zeros). */
  default boolean readsCheapFeatures() {
    return false;
  }

  /** Predicted quality in [0, 1] per model, in {@link #models()} order. */
  double[] predict(float[] embedding, double[] features);

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
