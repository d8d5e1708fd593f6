package dev.signalbox.core.learn;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What learned policies are fitted on: per prompt, its embedding, its cheap features and every
 * model's quality in [0, 1] (and cost in USD, for rewards that charge it).
 *
 * @param embeddings one unit vector per prompt
 * @param features one {@link CheapFeatures} vector per prompt
 * @param quality per prompt, one quality per model in {@code models} order
 * @param cost per prompt, one cost per model
 * @param outputTokens per model, the mean output length observed, or the assumed one
 * @param texts per prompt, the text its embedding was made from, for a scorer that tunes the
 *     encoder; empty when not kept
 */
public record TrainingSet(
    List<String> models,
    float[][] embeddings,
    double[][] features,
    double[][] quality,
    double[][] cost,
    double[] outputTokens,
    List<String> texts) {
  public TrainingSet(
      List<String> models,
      float[][] embeddings,
      double[][] features,
      double[][] quality,
      double[][] cost,
      double[] outputTokens) {
    this(models, embeddings, features, quality, cost, outputTokens, List.of());
  }

  public TrainingSet {
    models = List.copyOf(models);
    texts = List.copyOf(texts);
    if (!texts.isEmpty() && texts.size() != embeddings.length) {
      throw new IllegalArgumentException("one text per prompt, or none");
    }
    Objects.requireNonNull(embeddings);
    if (features.length != embeddings.length
        || quality.length != embeddings.length
        || cost.length != embeddings.length) {
      throw new IllegalArgumentException(
          "every prompt needs an embedding, features, qualities and costs");
    }
    if (outputTokens.length != models.size()) {
      throw new IllegalArgumentException("one output length per model");
    }
  }

  public int size() {
    return embeddings.length;
  }

  public int modelIndex(String model) {
    int index = models.indexOf(model);
    if (index < 0) {
      throw new IllegalArgumentException(
          "the training data has no model '" + model + "' (it has " + models + ")");
    }
    return index;
  }

  /** Each model's mean quality over the set. */
  public double[] meanQuality() {
    double[] mean = new double[models.size()];
    for (double[] row : quality) {
      for (int m = 0; m < mean.length; m++) {
        mean[m] += row[m] / size();
      }
    }
    return mean;
  }

  /** The same prompts with other vectors (one per prompt, in order): another encoder's. */
  public TrainingSet withEmbeddings(float[][] others) {
    if (others.length != size()) {
      throw new IllegalArgumentException("one vector per prompt");
    }
    return new TrainingSet(models, others, features, quality, cost, outputTokens, texts);
  }

  /** The rows at {@code indexes}, in that order. */
  public TrainingSet subset(int[] indexes) {
    float[][] e = new float[indexes.length][];
    double[][] f = new double[indexes.length][];
    double[][] q = new double[indexes.length][];
    double[][] c = new double[indexes.length][];
    for (int i = 0; i < indexes.length; i++) {
      e[i] = embeddings[indexes[i]];
      f[i] = features[indexes[i]];
      q[i] = quality[indexes[i]];
      c[i] = cost[indexes[i]];
    }
    List<String> t =
        texts.isEmpty() ? List.of() : Arrays.stream(indexes).mapToObj(texts::get).toList();
    return new TrainingSet(models, e, f, q, c, outputTokens, t);
  }
}
