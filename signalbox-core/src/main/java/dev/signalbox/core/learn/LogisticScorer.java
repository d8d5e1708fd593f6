package dev.signalbox.core.learn;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One logistic regression per model over the embedding and the cheap features: the per-model
 * quality classifiers of RouterBench and of LLMRouter's baselines. Fitted by seeded stochastic
 * gradient descent on cross-entropy with an L2 penalty.
 *
 * @param weights per model, embedding dimensions then {@link CheapFeatures#SIZE} features
 */
public record LogisticScorer(List<String> models, double[][] weights, double[] bias)
    implements QualityScorer {
  public LogisticScorer {
    models = List.copyOf(models);
  }

  /** Hyper-parameters of the fit. */
  public record Settings(int epochs, double learningRate, double l2) {
    public static final Settings DEFAULT = new Settings(10, 0.1, 1e-4);
  }

  public static LogisticScorer fit(TrainingSet data, Settings settings, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int models = data.models().size();
    int width = data.embeddings()[0].length + data.features()[0].length;
    double[][] weights = new double[models][width];
    double[] bias = new double[models];
    double[] prior = data.meanQuality();
    for (int m = 0; m < models; m++) {
      bias[m] = MatrixFactorisation.logit(prior[m]);
    }
    int[] order = new int[data.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int epoch = 0; epoch < settings.epochs(); epoch++) {
      MatrixFactorisation.shuffle(order, random);
      double rate = settings.learningRate() / (1 + epoch * 0.5);
      for (int i : order) {
        float[] x = data.embeddings()[i];
        double[] f = data.features()[i];
        for (int m = 0; m < models; m++) {
          double error =
              QualityScorer.sigmoid(bias[m] + linear(weights[m], x, f)) - data.quality()[i][m];
          bias[m] -= rate * error;
          double[] w = weights[m];
          double decay = 1 - rate * settings.l2();
          for (int d = 0; d < x.length; d++) {
            w[d] = w[d] * decay - rate * error * x[d];
          }
          for (int j = 0; j < f.length; j++) {
            w[x.length + j] = w[x.length + j] * decay - rate * error * f[j];
          }
        }
      }
    }
    return new LogisticScorer(data.models(), weights, bias);
  }

  @Override
  public String kind() {
    return "logistic";
  }

  @Override
  public boolean readsCheapFeatures() {
    return true;
  }

  @Override
  public double[] predict(float[] embedding, double[] features) {
    double[] predicted = new double[models.size()];
    for (int m = 0; m < predicted.length; m++) {
      predicted[m] = QualityScorer.sigmoid(bias[m] + linear(weights[m], embedding, features));
    }
    return predicted;
  }

  private static double linear(double[] w, float[] x, double[] f) {
    double sum = 0;
    for (int d = 0; d < x.length; d++) {
      sum += w[d] * x[d];
    }
    for (int j = 0; j < f.length; j++) {
      sum += w[x.length + j] * f[j];
    }
    return sum;
  }
}
