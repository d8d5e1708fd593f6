package dev.signalbox.core.learn;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Scorers of different kinds fitted on the same data, their predictions averaged: a kNN's local
 * vote and a regression's or a network's smooth fit err on different prompts ({@code knn+mlp},
 * {@code knn+logistic}, {@code knn+mlp+logistic}; see docs/evaluation.md).
 */
public record BlendScorer(List<QualityScorer> parts) implements QualityScorer {
  public BlendScorer {
    parts = List.copyOf(parts);
    if (parts.size() < 2) {
      throw new IllegalArgumentException("a blend needs at least two scorers");
    }
  }

  /** The parts' kinds joined by {@code +}. */
  @Override
  public String kind() {
    return parts.stream().map(QualityScorer::kind).collect(Collectors.joining("+"));
  }

  @Override
  public List<String> models() {
    return parts.get(0).models();
  }

  @Override
  public boolean readsCheapFeatures() {
    return parts.stream().anyMatch(QualityScorer::readsCheapFeatures);
  }

  @Override
  public double[] predict(float[] embedding, double[] features) {
    double[] mean = new double[models().size()];
    for (QualityScorer part : parts) {
      double[] predicted = part.predict(embedding, features);
      for (int m = 0; m < mean.length; m++) {
        mean[m] += predicted[m] / parts.size();
      }
    }
    return mean;
  }
}
