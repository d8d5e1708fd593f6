package dev.signalbox.core.learn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small neural network shared by all models: one hidden layer of rectified units over the
 * embedding and the cheap features, then one sigmoid output per model (multi-task, so a model with
 * few wins borrows the hidden features the others learn). Fitted with Adam (Kingma and Ba, 2015) on
 * cross-entropy against each model's quality, in seeded mini-batches, with decoupled weight decay
 * (Loshchilov and Hutter, 2019). This is the MLP router of RouterBench and LLMRouter's baselines.
 * An ensemble of networks fitted from different seeds is stored one network after the other, and
 * predicts their mean.
 *
 * @param hidden per hidden unit of each network, its input weights (embedding dimensions, then
 *     features)
 * @param hiddenBias per hidden unit of each network
 * @param output per model of each network, its weights over that network's hidden units
 * @param outputBias per model of each network
 */
public record MlpScorer(
    List<String> models,
    double[][] hidden,
    double[] hiddenBias,
    double[][] output,
    double[] outputBias)
    implements QualityScorer {
  public MlpScorer {
    models = List.copyOf(models);
  }

  /** Hyper-parameters of the fit. */
  public record Settings(
      int hiddenUnits, int epochs, int members, double learningRate, double weightDecay) {
    public static final Settings DEFAULT = new Settings(64, 30, 1, 1e-3, 1e-4);
  }

  private static final int BATCH = 32;

  /** Fits {@code settings.members()} networks from seeds drawn from {@code seed}, to average. */
  public static MlpScorer fit(TrainingSet data, Settings settings, long seed) {
    SplittableRandom seeds = new SplittableRandom(seed);
    List<MlpScorer> members = new ArrayList<>();
    for (int i = 0; i < settings.members(); i++) {
      members.add(new Fit(data, settings, seeds.split()).run());
    }
    return stack(members);
  }

  private static MlpScorer stack(List<MlpScorer> members) {
    return new MlpScorer(
        members.getFirst().models(),
        members.stream().flatMap(m -> Arrays.stream(m.hidden())).toArray(double[][]::new),
        members.stream().flatMapToDouble(m -> Arrays.stream(m.hiddenBias())).toArray(),
        members.stream().flatMap(m -> Arrays.stream(m.output())).toArray(double[][]::new),
        members.stream().flatMapToDouble(m -> Arrays.stream(m.outputBias())).toArray());
  }

  @Override
  public String kind() {
    return "mlp";
  }

  @Override
  public boolean readsCheapFeatures() {
    return true;
  }

  /** How many networks the scorer averages. */
  public int members() {
    return outputBias.length / models.size();
  }

  @Override
  public double[] predict(float[] embedding, double[] features) {
    int members = members();
    int units = hidden.length / members;
    double[] predicted = new double[models.size()];
    double[] h = new double[units];
    for (int member = 0; member < members; member++) {
      for (int u = 0; u < units; u++) {
        h[u] =
            activation(
                hidden[member * units + u], hiddenBias[member * units + u], embedding, features);
      }
      for (int m = 0; m < predicted.length; m++) {
        int row = member * predicted.length + m;
        predicted[m] += QualityScorer.sigmoid(outputBias[row] + dot(output[row], h)) / members;
      }
    }
    return predicted;
  }

  private static double activation(double[] w, double bias, float[] x, double[] f) {
    double sum = bias;
    for (int d = 0; d < x.length; d++) {
      sum += w[d] * x[d];
    }
    for (int j = 0; j < f.length; j++) {
      sum += w[x.length + j] * f[j];
    }
    return Math.max(0, sum);
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  /** One fit's parameters, their gradients and Adam's moments, flattened per layer. */
  private static final class Fit {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final TrainingSet data;
    private final Settings settings;
    private final SplittableRandom random;
    private final int width;
    private final int units;
    private final int models;
    private final Param hidden;
    private final Param hiddenBias;
    private final Param output;
    private final Param outputBias;
    private int step;

    Fit(TrainingSet data, Settings settings, SplittableRandom random) {
      this.data = data;
      this.settings = settings;
      this.random = random;
      this.width = data.embeddings()[0].length + data.features()[0].length;
      this.units = settings.hiddenUnits();
      this.models = data.models().size();
      this.hidden = new Param(units * width);
      this.hiddenBias = new Param(units);
      this.output = new Param(models * units);
      this.outputBias = new Param(models);
      double hiddenScale = Math.sqrt(2.0 / width);
      for (int i = 0; i < hidden.value.length; i++) {
        hidden.value[i] = gaussian() * hiddenScale;
      }
      double outputScale = Math.sqrt(1.0 / units);
      for (int i = 0; i < output.value.length; i++) {
        output.value[i] = gaussian() * outputScale;
      }
      double[] prior = data.meanQuality();
      for (int m = 0; m < models; m++) {
        outputBias.value[m] = MatrixFactorisation.logit(prior[m]);
      }
    }

    MlpScorer run() {
      int[] order = new int[data.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      double[] input = new double[width];
      double[] h = new double[units];
      double[] hiddenError = new double[units];
      for (int epoch = 0; epoch < settings.epochs(); epoch++) {
        MatrixFactorisation.shuffle(order, random);
        for (int start = 0; start < order.length; start += BATCH) {
          int end = Math.min(order.length, start + BATCH);
          for (int b = start; b < end; b++) {
            accumulate(order[b], input, h, hiddenError);
          }
          update(end - start);
        }
      }
      return export();
    }

    private void accumulate(int row, double[] input, double[] h, double[] hiddenError) {
      float[] x = data.embeddings()[row];
      double[] f = data.features()[row];
      for (int d = 0; d < x.length; d++) {
        input[d] = x[d];
      }
      System.arraycopy(f, 0, input, x.length, f.length);
      for (int u = 0; u < units; u++) {
        double sum = hiddenBias.value[u];
        int base = u * width;
        for (int d = 0; d < width; d++) {
          sum += hidden.value[base + d] * input[d];
        }
        h[u] = Math.max(0, sum);
        hiddenError[u] = 0;
      }
      double[] quality = data.quality()[row];
      for (int m = 0; m < models; m++) {
        int base = m * units;
        double z = outputBias.value[m];
        for (int u = 0; u < units; u++) {
          z += output.value[base + u] * h[u];
        }
        double error = QualityScorer.sigmoid(z) - quality[m];
        outputBias.gradient[m] += error;
        for (int u = 0; u < units; u++) {
          output.gradient[base + u] += error * h[u];
          hiddenError[u] += error * output.value[base + u];
        }
      }
      for (int u = 0; u < units; u++) {
        if (h[u] <= 0) {
          continue;
        }
        double error = hiddenError[u];
        hiddenBias.gradient[u] += error;
        int base = u * width;
        for (int d = 0; d < width; d++) {
          hidden.gradient[base + d] += error * input[d];
        }
      }
    }

    private void update(int batchSize) {
      step++;
      double correction1 = 1 - Math.pow(BETA1, step);
      double correction2 = 1 - Math.pow(BETA2, step);
      double rate = settings.learningRate();
      hidden.adam(batchSize, rate, correction1, correction2, settings.weightDecay());
      hiddenBias.adam(batchSize, rate, correction1, correction2, 0);
      output.adam(batchSize, rate, correction1, correction2, settings.weightDecay());
      outputBias.adam(batchSize, rate, correction1, correction2, 0);
    }

    private MlpScorer export() {
      double[][] hiddenRows = new double[units][width];
      for (int u = 0; u < units; u++) {
        System.arraycopy(hidden.value, u * width, hiddenRows[u], 0, width);
      }
      double[][] outputRows = new double[models][units];
      for (int m = 0; m < models; m++) {
        System.arraycopy(output.value, m * units, outputRows[m], 0, units);
      }
      return new MlpScorer(
          data.models(),
          hiddenRows,
          hiddenBias.value.clone(),
          outputRows,
          outputBias.value.clone());
    }

    private double gaussian() {
      double u1 = 1 - random.nextDouble();
      double u2 = random.nextDouble();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static final class Param {
      final double[] value;
      final double[] gradient;
      final double[] first;
      final double[] second;

      Param(int size) {
        value = new double[size];
        gradient = new double[size];
        first = new double[size];
        second = new double[size];
      }

      void adam(int batchSize, double rate, double correction1, double correction2, double decay) {
        for (int i = 0; i < value.length; i++) {
          double g = gradient[i] / batchSize;
          gradient[i] = 0;
          first[i] = BETA1 * first[i] + (1 - BETA1) * g;
          second[i] = BETA2 * second[i] + (1 - BETA2) * g * g;
          double m = first[i] / correction1;
          double v = second[i] / correction2;
          value[i] -= rate * (m / (Math.sqrt(v) + EPSILON) + decay * value[i]);
        }
      }
    }
  }
}
