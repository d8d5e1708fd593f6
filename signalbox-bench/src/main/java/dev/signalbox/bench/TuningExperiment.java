package dev.signalbox.bench;

import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.learn.CheapFeatures;
import dev.signalbox.core.text.EmbeddedText;
import dev.signalbox.eval.Split;
import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.EvalPrompt;
import dev.signalbox.eval.data.RouteLlmReader;
import dev.signalbox.eval.metrics.CurvePoint;
import dev.signalbox.eval.metrics.ThresholdMetrics;
import dev.signalbox.tune.EncoderTuner;
import dev.signalbox.tune.TunedEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The fine-tuned encoder on RouteLLM's MMLU, on the evaluator's own {@code cv:5} folds and with its
 * metrics (APGR and CPT(50%) over the 10-quantile sweep of the score): per fold, the encoder's top
 * layers and head tuned on the training part (a tenth held out to choose the epoch by its ranking
 * gain), the test part embedded by the tuned ONNX model in ONNX Runtime as the gateway would, the
 * win score the head's strong minus weak. The folds' scores are pooled as the evaluator pools them.
 *
 * <p>{@code MKL_DYNAMIC=FALSE OMP_DYNAMIC=FALSE OMP_NUM_THREADS=$(nproc) java -cp ...
 * dev.signalbox.bench.TuningExperiment DATA_DIR [FOLDS] [EPOCHS] [SEED] [FIRST_N_PROMPTS]}, e.g.
 * {@code ../shared/data/routellm/mmlu 1,2,3,4,5 3 42}. The three variables are what the launcher
 * sets for {@code train} and {@code eval}: without them PyTorch's threads follow how busy the
 * machine is, and so do the tuned weights (docs/results/tuned-threads-20261206.txt).
 */
public final class TuningExperiment {
  private static final String STRONG = "gpt-4-1106-preview";
  private static final String WEAK = "mistralai/Mixtral-8x7B-Instruct-v0.1";

  private TuningExperiment() {}

  public static void main(String[] args) {
    Path data = Path.of(args[0]);
    int[] folds =
        Arrays.stream((args.length > 1 ? args[1] : "1").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 42;
    Dataset dataset = new RouteLlmReader().read(data);
    List<EvalPrompt> prompts = dataset.prompts();
    if (args.length > 4) {
      prompts = prompts.subList(0, Math.min(prompts.size(), Integer.parseInt(args[4])));
    }
    List<Split.Fold> split = new Split.CrossValidation(5).folds(prompts, seed);
    EncoderTuner.Settings settings = EncoderTuner.Settings.DEFAULT.withHead(64, epochs);
    log(
        "%d prompts, cv:5 seed %d, folds %s, %s",
        prompts.size(), seed, Arrays.toString(folds), settings);
    List<EvalPrompt> pooledTest = new ArrayList<>();
    List<Double> pooledScores = new ArrayList<>();
    try (SentenceEncoder base = SentenceEncoder.load(EncoderTuner.BASE)) {
      for (int f : folds) {
        Split.Fold fold = split.get(f - 1);
        long start = System.nanoTime();
        List<long[]> pieces = fold.train().stream().map(p -> base.pieces(text(p))).toList();
        double[][] quality =
            fold.train().stream()
                .map(p -> new double[] {p.quality(STRONG), p.quality(WEAK)})
                .toArray(double[][]::new);
        TunedEncoder tuned =
            EncoderTuner.tune(
                pieces,
                quality,
                List.of(STRONG, WEAK),
                settings,
                seed + f,
                line -> log("fold %d: %s", f, line));
        log(
            "fold %d: tuned in %.0f s, epoch %d kept, held-out losses %s, ranking gains %s",
            f,
            (System.nanoTime() - start) / 1e9,
            tuned.epoch(),
            Arrays.toString(tuned.heldOutLoss()),
            Arrays.toString(tuned.heldOutGain()));
        start = System.nanoTime();
        double[] scores;
        try (SentenceEncoder served =
            SentenceEncoder.load(EncoderTuner.BASE, tuned.layers().onnx())) {
          scores = scores(served, tuned, fold.test());
        }
        log(
            "fold %d: %d test prompts embedded and scored in %.0f s",
            f, scores.length, (System.nanoTime() - start) / 1e9);
        report("fold " + f, fold.test(), scores);
        pooledTest.addAll(fold.test());
        for (double s : scores) {
          pooledScores.add(s);
        }
      }
    }
    if (folds.length > 1) {
      report(
          "folds " + Arrays.toString(folds) + " pooled",
          pooledTest,
          pooledScores.stream().mapToDouble(Double::doubleValue).toArray());
    }
  }

  private static String text(EvalPrompt prompt) {
    return EmbeddedText.of(prompt.messages(), EmbeddedText.LAST_USER);
  }

  private static double[] scores(
      SentenceEncoder served, TunedEncoder tuned, List<EvalPrompt> test) {
    double[] none = new double[CheapFeatures.SIZE];
    double[] scores = new double[test.size()];
    int batch = 32;
    IntStream.range(0, (test.size() + batch - 1) / batch)
        .parallel()
        .forEach(
            b -> {
              int from = b * batch;
              int to = Math.min(test.size(), from + batch);
              List<float[]> vectors =
                  served.encode(
                      test.subList(from, to).stream().map(TuningExperiment::text).toList());
              for (int i = from; i < to; i++) {
                double[] predicted = tuned.head().predict(vectors.get(i - from), none);
                scores[i] = predicted[0] - predicted[1];
              }
            });
    return scores;
  }

  /** APGR and CPT(50%) as the evaluator computes them for a threshold route. */
  private static void report(String name, List<EvalPrompt> test, double[] scores) {
    double[] edges = ThresholdMetrics.edges(scores, ThresholdMetrics.BINS);
    List<CurvePoint> points = new ArrayList<>();
    for (int e = 0; e < edges.length; e++) {
      double cutoff = ThresholdMetrics.cutoff(edges, e);
      int strong = 0;
      double quality = 0;
      for (int i = 0; i < scores.length; i++) {
        boolean toStrong = scores[i] >= cutoff;
        strong += toStrong ? 1 : 0;
        quality += test.get(i).quality(toStrong ? STRONG : WEAK);
      }
      points.add(new CurvePoint("t", (double) strong / scores.length, 0, quality / scores.length));
    }
    double qs = Dataset.meanQuality(test, STRONG);
    double qw = Dataset.meanQuality(test, WEAK);
    log(
        "%s: APGR %.4f, CPT(50%%) %.1f%% (%d prompts; strong alone %.4f, weak alone %.4f)",
        name,
        ThresholdMetrics.apgr(points, qw, qs),
        100 * ThresholdMetrics.cpt(points, qw, qs, 0.5),
        test.size(),
        qs,
        qw);
  }

  private static void log(String format, Object... args) {
    System.out.printf(
        Locale.ROOT,
        "%tT %s%n",
        System.currentTimeMillis(),
        String.format(Locale.ROOT, format, args));
  }
}
