package dev.signalbox.bench;

import dev.signalbox.core.embed.SentenceEncoder;
import dev.signalbox.core.learn.CheapFeatures;
import dev.signalbox.core.learn.KnnScorer;
import dev.signalbox.core.learn.LogisticScorer;
import dev.signalbox.core.learn.QualityScorer;
import dev.signalbox.core.learn.TrainingSet;
import dev.signalbox.core.text.EmbeddedText;
import dev.signalbox.eval.Split;
import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.EvalPrompt;
import dev.signalbox.eval.data.RouteLlmReader;
import dev.signalbox.eval.metrics.CurvePoint;
import dev.signalbox.eval.metrics.ThresholdMetrics;
import dev.signalbox.tune.EncoderTuner;
import dev.signalbox.tune.TunedEncoder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The fine-tuned encoder on RouteLLM's MMLU, on the evaluator's own {@code cv:5} folds and with its
 * metrics (APGR and CPT(50%) over the 10-quantile sweep of the score): per fold, the encoder's top
 * layers and head tuned on the training part (a tenth held out to choose the epoch by its ranking
 * gain), the test part embedded by the tuned ONNX model in ONNX Runtime as the gateway would, the
 * win score the head's strong minus weak. The folds' scores are pooled as the evaluator pools them.
 * Beside the tuned head alone it scores the blends in {@link #BLENDS} (the parts' win scores
 * averaged, as {@code BlendScorer} averages predictions): kNN and logistic regression fitted on the
 * tuned encoder's vectors of the training part, and the frozen encoder's best blend, alone and with
 * the head. Every part's predictions for every test prompt go to the TSV file named by {@code
 * -Dscores=} (default {@code tuning-scores.tsv}), for other blends to be scored without tuning
 * again.
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

  /**
   * Declared before any run: the tuned head alone, blended with scorers fitted on the tuned
   * encoder's vectors (one encoder per decision), and with the frozen encoder's best blend.
   */
  private static final List<Map.Entry<String, List<String>>> BLENDS =
      List.of(
          Map.entry("tuned", List.of("tuned")),
          Map.entry("tuned+knn(tuned)", List.of("tuned", "knn(tuned)")),
          Map.entry("tuned+knn+logistic(tuned)", List.of("tuned", "knn(tuned)", "logistic(tuned)")),
          Map.entry("knn+logistic(frozen)", List.of("knn(frozen)", "logistic(frozen)")),
          Map.entry(
              "tuned+knn+logistic(frozen)", List.of("tuned", "knn(frozen)", "logistic(frozen)")));

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
    Map<String, List<Double>> pooledScores = new LinkedHashMap<>();
    Path dump = Path.of(System.getProperty("scores", "tuning-scores.tsv"));
    try (SentenceEncoder base = SentenceEncoder.load(EncoderTuner.BASE);
        PrintWriter tsv = new PrintWriter(Files.newBufferedWriter(dump))) {
      tsv.println("fold\tprompt\tpart\tstrong\tweak");
      long embedStart = System.nanoTime();
      float[][] frozen = embed(base, prompts);
      log(
          "all %d prompts embedded by the frozen encoder in %.0f s",
          prompts.size(), (System.nanoTime() - embedStart) / 1e9);
      Map<EvalPrompt, Integer> index = new IdentityHashMap<>();
      for (int i = 0; i < prompts.size(); i++) {
        index.put(prompts.get(i), i);
      }
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
        float[][] tunedTrain;
        float[][] tunedTest;
        try (SentenceEncoder served =
            SentenceEncoder.load(EncoderTuner.BASE, tuned.layers().onnx())) {
          tunedTest = embed(served, fold.test());
          tunedTrain = embed(served, fold.train());
        }
        log(
            "fold %d: %d test and %d training prompts embedded by the tuned encoder in %.0f s",
            f, tunedTest.length, tunedTrain.length, (System.nanoTime() - start) / 1e9);
        float[][] frozenTrain = rows(frozen, fold.train(), index);
        float[][] frozenTest = rows(frozen, fold.test(), index);
        Map<String, double[][]> parts = new LinkedHashMap<>();
        parts.put("tuned", predict(tuned.head(), tunedTest));
        parts.put("knn(tuned)", predict(knn(trainingSet(fold.train(), tunedTrain)), tunedTest));
        parts.put(
            "logistic(tuned)",
            predict(logistic(trainingSet(fold.train(), tunedTrain), seed), tunedTest));
        parts.put("knn(frozen)", predict(knn(trainingSet(fold.train(), frozenTrain)), frozenTest));
        parts.put(
            "logistic(frozen)",
            predict(logistic(trainingSet(fold.train(), frozenTrain), seed), frozenTest));
        parts.forEach(
            (part, predicted) -> {
              for (int i = 0; i < predicted.length; i++) {
                tsv.printf(
                    Locale.ROOT,
                    "%d\t%d\t%s\t%.9f\t%.9f%n",
                    f,
                    index.get(fold.test().get(i)),
                    part,
                    predicted[i][0],
                    predicted[i][1]);
              }
            });
        tsv.flush();
        for (Map.Entry<String, List<String>> blend : BLENDS) {
          double[] scores = blendScores(blend.getValue(), parts);
          report("fold " + f + " " + blend.getKey(), fold.test(), scores);
          List<Double> pooled =
              pooledScores.computeIfAbsent(blend.getKey(), b -> new ArrayList<>());
          for (double s : scores) {
            pooled.add(s);
          }
        }
        pooledTest.addAll(fold.test());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (folds.length > 1) {
      pooledScores.forEach(
          (blend, scores) ->
              report(
                  "folds " + Arrays.toString(folds) + " pooled " + blend,
                  pooledTest,
                  scores.stream().mapToDouble(Double::doubleValue).toArray()));
    }
  }

  private static double[] blendScores(List<String> names, Map<String, double[][]> parts) {
    int n = parts.get(names.get(0)).length;
    double[] scores = new double[n];
    for (String name : names) {
      double[][] predicted = parts.get(name);
      for (int i = 0; i < n; i++) {
        scores[i] += (predicted[i][0] - predicted[i][1]) / names.size();
      }
    }
    return scores;
  }

  private static TrainingSet trainingSet(List<EvalPrompt> prompts, float[][] vectors) {
    double[][] quality =
        prompts.stream()
            .map(p -> new double[] {p.quality(STRONG), p.quality(WEAK)})
            .toArray(double[][]::new);
    return new TrainingSet(
        List.of(STRONG, WEAK),
        vectors,
        new double[prompts.size()][CheapFeatures.SIZE],
        quality,
        new double[prompts.size()][2],
        new double[] {1, 1});
  }

  private static KnnScorer knn(TrainingSet data) {
    return KnnScorer.fit(data, 40, 4);
  }

  private static LogisticScorer logistic(TrainingSet data, long seed) {
    return LogisticScorer.fit(data, new LogisticScorer.Settings(30, 0.1, 1e-4), seed);
  }

  private static double[][] predict(QualityScorer scorer, float[][] vectors) {
    double[] none = new double[CheapFeatures.SIZE];
    return IntStream.range(0, vectors.length)
        .parallel()
        .mapToObj(i -> scorer.predict(vectors[i], none))
        .toArray(double[][]::new);
  }

  private static float[][] rows(
      float[][] all, List<EvalPrompt> prompts, Map<EvalPrompt, Integer> index) {
    return prompts.stream().map(p -> all[index.get(p)]).toArray(float[][]::new);
  }

  private static String text(EvalPrompt prompt) {
    return EmbeddedText.of(prompt.messages(), EmbeddedText.LAST_USER);
  }

  private static float[][] embed(SentenceEncoder encoder, List<EvalPrompt> prompts) {
    float[][] vectors = new float[prompts.size()][];
    int batch = 32;
    IntStream.range(0, (prompts.size() + batch - 1) / batch)
        .parallel()
        .forEach(
            b -> {
              int from = b * batch;
              int to = Math.min(prompts.size(), from + batch);
              List<float[]> encoded =
                  encoder.encode(
                      prompts.subList(from, to).stream().map(TuningExperiment::text).toList());
              for (int i = from; i < to; i++) {
                vectors[i] = encoded.get(i - from);
              }
            });
    return vectors;
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
