package dev.signalbox.tune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.signalbox.core.embed.EncoderModel;
import dev.signalbox.core.embed.OnnxModel;
import dev.signalbox.core.embed.TunedLayers;
import dev.signalbox.core.learn.CheapFeatures;
import dev.signalbox.core.learn.MlpScorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Fine-tunes the sentence encoder's top layers, with a small network over its pooled vector, on how
 * well each model answered each training prompt: the frozen encoder places prompts by topic, and
 * routing needs them placed by which model gets them right. The lower layers' states are computed
 * once and kept in half precision; each epoch then runs only the top layers forward and back. AdamW
 * (Loshchilov and Hutter, 2019) on binary cross-entropy, the layers at a small rate and the head at
 * a larger one, as fine-tuning BERT is usually done (Devlin et al., 2019). A tenth of the prompts
 * is held out and the epoch that orders it best for routing ({@link RankingGain}) is the one kept:
 * the layers fit their training prompts within a few epochs (docs/results/finetune-20261205/), and
 * the held-out loss picked epochs that routed worse on MMLU's folds
 * (docs/results/tuned-mmlu-cv5-20261205.txt).
 */
public final class EncoderTuner {
  /** The encoder tuning starts from. */
  public static final EncoderModel BASE = TunedLayers.BASE;

  /** The pooled vector is scaled before the head, so its unit length does not starve it. */
  private static final float HEAD_INPUT_SCALE = 8;

  private static final int ENCODE_BATCH = 64;
  private static final int CHECK_BATCH = 128;
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  /**
   * @param layers how many of the encoder's top layers are tuned
   * @param heldOut the share of prompts held out to choose the epoch
   */
  public record Settings(
      int layers,
      int epochs,
      double learningRate,
      double headLearningRate,
      double weightDecay,
      int hiddenUnits,
      int batch,
      double heldOut) {
    public static final Settings DEFAULT = new Settings(2, 3, 1e-4, 1e-3, 0.01, 64, 32, 0.1);

    /** These settings with a head of {@code hiddenUnits} and at most {@code epochs} epochs. */
    public Settings withHead(int hiddenUnits, int epochs) {
      return new Settings(
          layers, epochs, learningRate, headLearningRate, weightDecay, hiddenUnits, batch, heldOut);
    }

    public Settings {
      if (layers < 1 || layers > MiniLm.LAYERS) {
        throw new IllegalArgumentException(
            "between 1 and " + MiniLm.LAYERS + " layers are tuned, not " + layers);
      }
      if (epochs < 1 || batch < 1 || hiddenUnits < 1) {
        throw new IllegalArgumentException("epochs, batch and hidden units are at least 1");
      }
    }
  }

  private EncoderTuner() {}

  /**
   * Tunes {@link #BASE} on prompts given as the word pieces its encoder reads, with per prompt each
   * model's quality in [0, 1].
   */
  public static TunedEncoder tune(
      List<long[]> pieces,
      double[][] quality,
      List<String> models,
      Settings settings,
      long seed,
      Consumer<String> progress) {
    if (pieces.size() != quality.length || pieces.isEmpty()) {
      throw new IllegalArgumentException("one quality row per prompt, and at least one prompt");
    }
    refuseWhatTheHeapCannotHold(pieces, Runtime.getRuntime().maxMemory());
    OnnxModel onnx = OnnxModel.read(TunedLayers.baseModel());
    try (NDManager manager = NDManager.newBaseManager()) {
      return new Run(onnx, manager, pieces, quality, models, settings, seed, progress).tune();
    }
  }

  /**
   * The frozen layers' states of every prompt stay in the heap for the whole run (half precision,
   * trimmed to the prompt's word pieces: about 0.9 GB for MMLU's 11,229 training prompts). Refused
   * up front, with what to do, where they would take more than half of it: an out-of-memory error
   * minutes into the run, as a 1 GB heap gave on MMLU, says neither.
   */
  static void refuseWhatTheHeapCannotHold(List<long[]> pieces, long maxHeap) {
    long bytes = 0;
    for (long[] prompt : pieces) {
      bytes += 16 + (long) prompt.length * MiniLm.HIDDEN * Short.BYTES;
    }
    if (bytes > maxHeap / 2) {
      long mb = 1 << 20;
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "tuning on %,d prompts keeps their frozen layers' states in the heap, about %,d MB,"
                  + " more than half of this JVM's %,d MB: give it at least %d GB"
                  + " (SIGNALBOX_JAVA_OPTS=-Xmx%dg) or tune on fewer prompts",
              pieces.size(),
              bytes / mb,
              maxHeap / mb,
              Math.ceilDiv(2 * bytes, 1L << 30),
              Math.ceilDiv(2 * bytes, 1L << 30)));
    }
  }

  /** One tuning run: the cached lower states, the parameters and the optimisers. */
  private static final class Run {
    private final OnnxModel onnx;
    private final NDManager manager;
    private final List<long[]> pieces;
    private final double[][] quality;
    private final List<String> models;
    private final Settings settings;
    private final SplittableRandom random;
    private final Consumer<String> progress;
    private final MiniLm encoder;
    private final int firstTuned;
    private final short[][] lowerStates;
    private final Map<String, NDArray> layerParameters = new LinkedHashMap<>();
    private final NDArray[] head = new NDArray[4];
    private final Map<String, NDArray[]> moments = new HashMap<>();
    private int steps;
    private double trainingLoss;

    Run(
        OnnxModel onnx,
        NDManager manager,
        List<long[]> pieces,
        double[][] quality,
        List<String> models,
        Settings settings,
        long seed,
        Consumer<String> progress) {
      this.onnx = onnx;
      this.manager = manager;
      this.pieces = pieces;
      this.quality = quality;
      this.models = List.copyOf(models);
      this.settings = settings;
      this.random = new SplittableRandom(seed);
      this.progress = progress;
      this.encoder = MiniLm.load(onnx, manager);
      this.firstTuned = MiniLm.LAYERS - settings.layers();
      this.lowerStates = new short[pieces.size()][];
    }

    TunedEncoder tune() {
      cacheLowerStates();
      for (int i = firstTuned; i < MiniLm.LAYERS; i++) {
        MiniLm.Layer layer = encoder.layer(i);
        layer.parameters().forEach(layerParameters::put);
      }
      layerParameters.values().forEach(p -> p.setRequiresGradient(true));
      initialiseHead();
      int[] order = IntStream.range(0, pieces.size()).toArray();
      shuffle(order);
      int heldOutCount =
          pieces.size() >= 10 ? (int) Math.round(pieces.size() * settings.heldOut()) : 0;
      int[] check = Arrays.copyOfRange(order, 0, heldOutCount);
      int[] fit = Arrays.copyOfRange(order, heldOutCount, order.length);
      double[] losses = new double[settings.epochs()];
      double[] gains = new double[settings.epochs()];
      Snapshot best = null;
      int bestEpoch = 0;
      for (int epoch = 0; epoch < settings.epochs(); epoch++) {
        shuffle(fit);
        trainingLoss = 0;
        int batches = 0;
        for (int start = 0; start < fit.length; start += settings.batch()) {
          step(Arrays.copyOfRange(fit, start, Math.min(fit.length, start + settings.batch())));
          batches++;
        }
        HeldOut heldOut = check.length > 0 ? heldOut(check) : HeldOut.NONE;
        losses[epoch] = heldOut.loss();
        gains[epoch] = heldOut.gain();
        progress.accept(
            String.format(
                Locale.ROOT,
                "epoch %d of %d: training loss %.4f, held-out loss %.4f and ranking gain %.4f"
                    + " (%d prompts)",
                epoch + 1,
                settings.epochs(),
                trainingLoss / batches,
                losses[epoch],
                gains[epoch],
                check.length));
        if (best == null || check.length == 0 || heldOut.betterThan(losses, gains, bestEpoch)) {
          best = snapshot();
          bestEpoch = epoch;
        }
      }
      return new TunedEncoder(
          new TunedLayers(best.layers()), best.head(), bestEpoch + 1, losses, gains);
    }

    /** The frozen layers' output per prompt, in half precision, trimmed to its word pieces. */
    private void cacheLowerStates() {
      Integer[] byLength = new Integer[pieces.size()];
      for (int i = 0; i < byLength.length; i++) {
        byLength[i] = i;
      }
      Arrays.sort(byLength, Comparator.comparingInt(i -> pieces.get(i).length));
      for (int start = 0; start < byLength.length; start += ENCODE_BATCH) {
        List<Integer> rows =
            Arrays.asList(byLength).subList(start, Math.min(byLength.length, start + ENCODE_BATCH));
        List<long[]> batch = rows.stream().map(pieces::get).toList();
        int width = batch.getLast().length;
        try (NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          NDArray mask = MiniLm.mask(batch, width, manager);
          float[] states =
              encoder.run(encoder.embed(batch, width, manager), mask, 0, firstTuned).toFloatArray();
          for (int b = 0; b < rows.size(); b++) {
            int length = batch.get(b).length * MiniLm.HIDDEN;
            short[] half = new short[length];
            int at = b * width * MiniLm.HIDDEN;
            for (int d = 0; d < length; d++) {
              half[d] = Float.floatToFloat16(states[at + d]);
            }
            lowerStates[rows.get(b)] = half;
          }
        }
        if ((start / ENCODE_BATCH) % 40 == 0) {
          progress.accept("encoded " + start + " of " + byLength.length + " prompts' lower layers");
        }
      }
    }

    private void initialiseHead() {
      int units = settings.hiddenUnits();
      int width = MiniLm.HIDDEN;
      head[0] = manager.create(uniform(width * units, width), new Shape(width, units));
      head[1] = manager.create(uniform(units, width), new Shape(units));
      head[2] =
          manager.create(uniform(units * models.size(), units), new Shape(units, models.size()));
      float[] prior = new float[models.size()];
      for (int m = 0; m < prior.length; m++) {
        double mean = 0;
        for (double[] row : quality) {
          mean += row[m] / quality.length;
        }
        double clipped = Math.min(0.99, Math.max(0.01, mean));
        prior[m] = (float) Math.log(clipped / (1 - clipped));
      }
      head[3] = manager.create(prior, new Shape(models.size()));
      for (NDArray p : head) {
        p.setRequiresGradient(true);
      }
    }

    /** PyTorch's default for a linear layer: uniform within one over the root of its fan-in. */
    private float[] uniform(int count, int fanIn) {
      float bound = (float) (1 / Math.sqrt(fanIn));
      float[] values = new float[count];
      for (int i = 0; i < count; i++) {
        values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
      return values;
    }

    private void step(int[] rows) {
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDArray loss = batchLoss(rows);
          float value = loss.getFloat();
          if (!Float.isFinite(value)) {
            throw new IllegalStateException(
                "the training loss is " + value + " at step " + (steps + 1));
          }
          trainingLoss += value;
          collector.backward(loss);
        }
        steps++;
        layerParameters.forEach((name, p) -> adamW(p, name, settings.learningRate()));
        for (int i = 0; i < head.length; i++) {
          adamW(head[i], "head." + i, settings.headLearningRate());
        }
      }
    }

    /**
     * One AdamW step on {@code p}, as PyTorch's {@code AdamW} takes it (decay first, then the
     * bias-corrected moments), and its gradient zeroed for the next batch's to accumulate into.
     */
    private void adamW(NDArray p, String name, double rate) {
      NDArray g = p.getGradient();
      NDArray[] moments =
          this.moments.computeIfAbsent(name, n -> new NDArray[] {p.zerosLike(), p.zerosLike()});
      NDScope.unregister(moments);
      moments[0].muli(BETA1).addi(g.mul(1 - BETA1));
      moments[1].muli(BETA2).addi(g.square().mul(1 - BETA2));
      double firstCorrection = 1 - Math.pow(BETA1, steps);
      double secondCorrection = 1 - Math.pow(BETA2, steps);
      p.muli((float) (1 - rate * settings.weightDecay()));
      p.subi(
          moments[0]
              .div(moments[1].div((float) secondCorrection).sqrt().add(EPSILON))
              .mul((float) (rate / firstCorrection)));
      g.muli(0);
    }

    /** The head's logits for {@code rows} beside the models' quality on them, as tensors. */
    private record Batch(NDArray logits, NDArray quality) {
      /** Mean binary cross-entropy of the logits against the quality. */
      NDArray loss() {
        return logits
            .maximum(0)
            .sub(logits.mul(quality))
            .add(logits.abs().neg().exp().add(1).log())
            .mean();
      }
    }

    private NDArray batchLoss(int[] rows) {
      return forward(rows).loss();
    }

    private Batch forward(int[] rows) {
      int width = 0;
      for (int row : rows) {
        width = Math.max(width, pieces.get(row).length);
      }
      float[] states = new float[rows.length * width * MiniLm.HIDDEN];
      float[] target = new float[rows.length * models.size()];
      List<long[]> batch = new ArrayList<>();
      for (int b = 0; b < rows.length; b++) {
        short[] half = lowerStates[rows[b]];
        int at = b * width * MiniLm.HIDDEN;
        for (int d = 0; d < half.length; d++) {
          states[at + d] = Float.float16ToFloat(half[d]);
        }
        for (int m = 0; m < models.size(); m++) {
          target[b * models.size() + m] = (float) quality[rows[b]][m];
        }
        batch.add(pieces.get(rows[b]));
      }
      NDArray mask = MiniLm.mask(batch, width, manager);
      NDArray x = manager.create(states, new Shape(rows.length, width, MiniLm.HIDDEN));
      NDArray bias = MiniLm.attentionBias(mask);
      for (int i = firstTuned; i < MiniLm.LAYERS; i++) {
        x = MiniLm.layer(encoder.layer(i), x, bias);
      }
      NDArray pooled = MiniLm.pooled(x, mask).mul(HEAD_INPUT_SCALE);
      NDArray hidden = Activation.relu(pooled.matMul(head[0]).add(head[1]));
      NDArray logits = hidden.matMul(head[2]).add(head[3]);
      return new Batch(logits, manager.create(target, new Shape(rows.length, models.size())));
    }

    /** The held-out prompts' mean loss and ranking gain after an epoch. */
    private record HeldOut(double loss, double gain) {
      static final HeldOut NONE = new HeldOut(Double.NaN, Double.NaN);

      /**
       * Whether this epoch orders the held-out prompts better than epoch {@code best} did, the loss
       * deciding a tie or where no pair of models differs in quality.
       */
      boolean betterThan(double[] losses, double[] gains, int best) {
        if (!Double.isNaN(gain) && !Double.isNaN(gains[best]) && gain != gains[best]) {
          return gain > gains[best];
        }
        return loss < losses[best];
      }
    }

    private HeldOut heldOut(int[] rows) {
      double sum = 0;
      double[][] predicted = new double[rows.length][];
      for (int start = 0; start < rows.length; start += CHECK_BATCH) {
        int[] part = Arrays.copyOfRange(rows, start, Math.min(rows.length, start + CHECK_BATCH));
        try (NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          Batch batch = forward(part);
          sum += batch.loss().getFloat() * part.length;
          float[] chances = Activation.sigmoid(batch.logits()).toFloatArray();
          for (int b = 0; b < part.length; b++) {
            predicted[start + b] = new double[models.size()];
            for (int m = 0; m < models.size(); m++) {
              predicted[start + b][m] = chances[b * models.size() + m];
            }
          }
        }
      }
      double mean = sum / rows.length;
      if (!Double.isFinite(mean)) {
        throw new IllegalStateException("the held-out loss is " + mean);
      }
      double[][] measured =
          Arrays.stream(rows).mapToObj(row -> quality[row]).toArray(double[][]::new);
      return new HeldOut(mean, RankingGain.of(predicted, measured));
    }

    private record Snapshot(Map<String, float[]> layers, MlpScorer head) {}

    private Snapshot snapshot() {
      Map<String, float[]> layers = new LinkedHashMap<>();
      layerParameters.forEach((name, p) -> layers.put(name, p.toFloatArray()));
      return new Snapshot(layers, headScorer());
    }

    /**
     * The head as the gateway's {@link MlpScorer}: it reads the encoder's unit vector (the scale
     * folded into the first layer's weights) and gives the cheap features no weight.
     */
    private MlpScorer headScorer() {
      int units = settings.hiddenUnits();
      int width = MiniLm.HIDDEN;
      float[] w1 = head[0].toFloatArray();
      double[][] hidden = new double[units][width + CheapFeatures.SIZE];
      for (int u = 0; u < units; u++) {
        for (int d = 0; d < width; d++) {
          hidden[u][d] = w1[d * units + u] * HEAD_INPUT_SCALE;
        }
      }
      float[] w2 = head[2].toFloatArray();
      double[][] output = new double[models.size()][units];
      for (int m = 0; m < models.size(); m++) {
        for (int u = 0; u < units; u++) {
          output[m][u] = w2[u * models.size() + m];
        }
      }
      return new MlpScorer(
          models, hidden, doubles(head[1].toFloatArray()), output, doubles(head[3].toFloatArray()));
    }

    private static double[] doubles(float[] values) {
      double[] out = new double[values.length];
      for (int i = 0; i < values.length; i++) {
        out[i] = values[i];
      }
      return out;
    }

    private void shuffle(int[] order) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
    }
  }
}
