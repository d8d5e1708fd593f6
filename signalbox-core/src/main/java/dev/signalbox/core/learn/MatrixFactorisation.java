package dev.signalbox.core.learn;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Matrix factorisation over prompt and model, as RouteLLM builds it (Ong et al., 2024, §4.2): the
 * prompt's embedding is projected to a small latent space, and a model's predicted quality is
 * σ(bias + model vector · projected prompt). RouteLLM trains the difference of two models on
 * pairwise preferences; here each model's score is trained on its own quality with cross-entropy,
 * so one factorisation serves any number of models and its difference gives the two-model win
 * score. Fitted by seeded stochastic gradient descent.
 *
 * @param projection latent × embedding dimensions
 * @param modelVectors one latent vector per model
 */
public record MatrixFactorisation(
    List<String> models, float[][] projection, double[][] modelVectors, double[] bias)
    implements QualityScorer {
  public MatrixFactorisation {
    models = List.copyOf(models);
  }

  /** Hyper-parameters of the fit. */
  public record Settings(int latent, int epochs, double learningRate, double l2) {
    public static final Settings DEFAULT = new Settings(16, 8, 0.05, 1e-5);
  }

  public static MatrixFactorisation fit(TrainingSet data, Settings settings, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int dimensions = data.embeddings()[0].length;
    int models = data.models().size();
    float[][] projection = new float[settings.latent()][dimensions];
    for (float[] row : projection) {
      for (int d = 0; d < dimensions; d++) {
        row[d] = (float) (random.nextGaussian() * 0.1);
      }
    }
    double[][] vectors = new double[models][settings.latent()];
    for (double[] v : vectors) {
      for (int l = 0; l < v.length; l++) {
        v[l] = random.nextGaussian() * 0.1;
      }
    }
    double[] bias = new double[models];
    double[] prior = data.meanQuality();
    for (int m = 0; m < models; m++) {
      bias[m] = logit(prior[m]);
    }
    int[] order = new int[data.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    double[] latent = new double[settings.latent()];
    double[] latentGradient = new double[settings.latent()];
    for (int epoch = 0; epoch < settings.epochs(); epoch++) {
      shuffle(order, random);
      double rate = settings.learningRate() / (1 + epoch * 0.5);
      for (int i : order) {
        float[] x = data.embeddings()[i];
        project(projection, x, latent);
        java.util.Arrays.fill(latentGradient, 0);
        for (int m = 0; m < models; m++) {
          double predicted = QualityScorer.sigmoid(bias[m] + dot(vectors[m], latent));
          double error = predicted - data.quality()[i][m];
          bias[m] -= rate * error;
          for (int l = 0; l < latent.length; l++) {
            latentGradient[l] += error * vectors[m][l];
            vectors[m][l] -= rate * (error * latent[l] + settings.l2() * vectors[m][l]);
          }
        }
        for (int l = 0; l < latent.length; l++) {
          float step = (float) (rate * latentGradient[l]);
          float[] row = projection[l];
          for (int d = 0; d < dimensions; d++) {
            row[d] -= step * x[d];
          }
        }
      }
    }
    return new MatrixFactorisation(data.models(), projection, vectors, bias);
  }

  @Override
  public String kind() {
    return "mf";
  }

  @Override
  public double[] predict(float[] embedding, double[] features) {
    double[] latent = new double[projection.length];
    project(projection, embedding, latent);
    double[] predicted = new double[models.size()];
    for (int m = 0; m < predicted.length; m++) {
      predicted[m] = QualityScorer.sigmoid(bias[m] + dot(modelVectors[m], latent));
    }
    return predicted;
  }

  private static void project(float[][] projection, float[] x, double[] into) {
    for (int l = 0; l < projection.length; l++) {
      float[] row = projection[l];
      double sum = 0;
      for (int d = 0; d < x.length; d++) {
        sum += row[d] * x[d];
      }
      into[l] = sum;
    }
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  static double logit(double p) {
    double clipped = Math.min(Math.max(p, 1e-3), 1 - 1e-3);
    return Math.log(clipped / (1 - clipped));
  }

  static void shuffle(int[] order, SplittableRandom random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}
