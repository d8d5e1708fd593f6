package dev.signalbox.core.learn;

import dev.signalbox.core.config.LearnedPolicySpec;
import dev.signalbox.core.config.QualityTarget;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.config.ScorerSpec;
import dev.signalbox.core.config.ThresholdSpec;
import dev.signalbox.core.text.SharedPrefixes;
import dev.signalbox.core.text.TextWindows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Fits what a learned route serves from: its scorer on the training set, the threshold for a target
 * (calibrated on a fifth of the data held out from a second fit, so a scorer that remembers its
 * training prompts, as kNN does, is not calibrated on its own memory), and the clusters a bandit
 * reads. Deterministic given the data and the seed.
 */
public final class Training {
  private static final double HELD_OUT = 0.2;

  /** The scorer that tunes the encoder's top layers with its head ({@link EncoderTuning}). */
  public static final String TUNED = "tuned";

  /**
   * Whether the scorer tunes the encoder: {@code tuned} alone, or its head blended with scorers
   * fitted on the tuned encoder's vectors ({@code tuned+knn}).
   */
  public static boolean tunes(ScorerSpec spec) {
    return spec.kind().equals(TUNED) || spec.kind().startsWith(TUNED + "+");
  }

  private Training() {}

  /**
   * A calibration target: {@code strong-share=X} sends that share of prompts to the strong model;
   * {@code quality-floor=Y} the least share whose held-out mean quality is at least Y.
   */
  public record Target(String kind, double value) {
    public static final Target NONE = new Target("none", Double.NaN);

    public static Target parse(String text) {
      String[] parts = text.split("=", 2);
      if (parts.length != 2
          || !(parts[0].equals("strong-share") || parts[0].equals("quality-floor"))) {
        throw new IllegalArgumentException(
            "a target is strong-share=X or quality-floor=Y, not '" + text + "'");
      }
      double value;
      try {
        value = Double.parseDouble(parts[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the target '" + text + "' needs a number after '='");
      }
      if (parts[0].equals("strong-share") && !(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException("strong-share is between 0 and 1, not " + value);
      }
      return new Target(parts[0], value);
    }

    @Override
    public String toString() {
      return kind.equals("none") ? "none" : kind + "=" + value;
    }
  }

  public static LearnedArtifact fit(
      RouteSpec route,
      LearnedPolicySpec spec,
      TrainingSet data,
      Optional<SharedPrefixes> prefixes,
      String embeddingModel,
      String dataHash,
      String dataSource,
      Target target,
      long seed) {
    Optional<QualityTarget> promise =
        target.kind().equals("none") ? spec.qualityTarget() : Optional.empty();
    boolean tunes = tunes(spec.scorer());
    if (tunes) {
      refuseWhatTuningCannotDo(spec);
    }
    boolean guarantees = promise.isPresent() && spec.calibrates().isPresent();
    boolean calibratesToTarget = spec.calibrates().isPresent() && !target.kind().equals("none");
    Optional<HeldOut> held =
        guarantees || calibratesToTarget
            ? Optional.of(holdOut(spec.scorer(), data, seed))
            : Optional.empty();
    // A tuned encoder calibrated on held-out prompts is the one tuned without them: tuning again
    // on every prompt would serve an encoder the threshold was never tested with.
    Optional<EncoderTuning.Tuned> tuned =
        tunes
            ? Optional.of(
                held.flatMap(HeldOut::tuned)
                    .orElseGet(() -> EncoderTuning.available().tune(data, spec.scorer(), seed)))
            : Optional.empty();
    // The training prompts' tuned vectors, embedded at most once for what reads them (a blend's
    // neighbours, a bandit's clusters): a pass of the tuned encoder over every prompt.
    Supplier<float[][]> tunedVectors = once(() -> tuned.orElseThrow().embed(data.texts()));
    QualityScorer scorer;
    Optional<LearnedArtifact.Calibration> calibration;
    if (guarantees) {
      // The guarantee holds for the scorer it was tested with: the one fitted without the
      // held-out prompts is the one served.
      scorer = held.get().scorer();
      calibration =
          Optional.of(guarantee(held.get(), data, spec.calibrates().get(), promise.get()));
    } else {
      scorer =
          tuned
              .map(t -> tunedScorer(t, spec.scorer(), data, tunedVectors, seed))
              .orElseGet(() -> scorer(spec.scorer(), data, seed));
      calibration = spec.calibrates().map(threshold -> calibrate(data, held, threshold, target));
    }
    float[][] clusters =
        spec.clusters() > 0
            ? KMeans.fit(
                tuned.isPresent() ? tunedVectors.get() : data.embeddings(),
                spec.clusters(),
                20,
                seed)
            : new float[0][];
    return new LearnedArtifact(
        route.policy(),
        tuned.map(t -> t.layers().model().id()).orElse(embeddingModel),
        spec.embed(),
        spec.window(),
        prefixes,
        dataHash,
        dataSource,
        data.models(),
        scorer,
        calibration,
        clusters,
        data.outputTokens(),
        tuned.map(EncoderTuning.Tuned::layers));
  }

  /** A tuned encoder reads one span of a prompt, as it was tuned on. */
  private static void refuseWhatTuningCannotDo(LearnedPolicySpec spec) {
    if (spec.window().equals(TextWindows.CHUNKS)) {
      throw new IllegalArgumentException(
          "the scorer 'tuned' reads one span of a prompt: window head or tail, not chunks");
    }
  }

  public static QualityScorer scorer(ScorerSpec spec, TrainingSet data, long seed) {
    if (spec.kind().contains("+")) {
      return new BlendScorer(
          Arrays.stream(spec.kind().split("\\+"))
              .map(kind -> scorer(part(spec, kind), data, seed))
              .toList());
    }
    return switch (spec.kind()) {
      case "knn" -> knn(spec, data);
      case "mf" ->
          MatrixFactorisation.fit(
              data,
              new MatrixFactorisation.Settings(spec.latent(), spec.epochs(), 0.05, 1e-5),
              seed);
      case "logistic" -> logistic(spec, data, seed);
      case "mlp" -> mlp(spec, data, seed);
      case TUNED ->
          throw new IllegalArgumentException(
              "the scorer 'tuned' leads a blend ('tuned+knn'), it cannot follow another part");
      default -> throw new IllegalArgumentException("unknown scorer '" + spec.kind() + "'");
    };
  }

  /**
   * The tuned encoder's head, and for {@code tuned+knn} the head's prediction averaged with the
   * other parts', each fitted on {@code vectors}, the tuned encoder's of {@code data}'s texts: a
   * vote of neighbours in the space the encoder was tuned to rank in (docs/evaluation.md,
   * "tuned+knn").
   */
  private static QualityScorer tunedScorer(
      EncoderTuning.Tuned tuned,
      ScorerSpec spec,
      TrainingSet data,
      Supplier<float[][]> vectors,
      long seed) {
    if (spec.kind().equals(TUNED)) {
      return tuned.head();
    }
    TrainingSet embedded = data.withEmbeddings(vectors.get());
    List<QualityScorer> parts = new ArrayList<>();
    parts.add(tuned.head());
    for (String kind : spec.kind().substring(TUNED.length() + 1).split("\\+")) {
      parts.add(scorer(part(spec, kind), embedded, seed));
    }
    return new BlendScorer(parts);
  }

  /** {@code supplier}'s value, computed at the first call and kept. */
  private static <T> Supplier<T> once(Supplier<T> supplier) {
    return new Supplier<>() {
      private T value;

      @Override
      public T get() {
        if (value == null) {
          value = supplier.get();
        }
        return value;
      }
    };
  }

  /** One part of a blend: its kind, with the blend's settings. */
  private static ScorerSpec part(ScorerSpec blend, String kind) {
    return new ScorerSpec(
        kind,
        blend.k(),
        blend.smoothing(),
        blend.latent(),
        blend.epochs(),
        blend.hidden(),
        blend.members());
  }

  private static KnnScorer knn(ScorerSpec spec, TrainingSet data) {
    return KnnScorer.fit(data, spec.k(), spec.smoothing());
  }

  private static LogisticScorer logistic(ScorerSpec spec, TrainingSet data, long seed) {
    return LogisticScorer.fit(data, new LogisticScorer.Settings(spec.epochs(), 0.1, 1e-4), seed);
  }

  private static MlpScorer mlp(ScorerSpec spec, TrainingSet data, long seed) {
    return MlpScorer.fit(
        data,
        new MlpScorer.Settings(
            spec.hidden(),
            spec.epochs(),
            spec.members(),
            MlpScorer.Settings.DEFAULT.learningRate(),
            MlpScorer.Settings.DEFAULT.weightDecay()),
        seed);
  }

  /** The win score a threshold route compares: predicted quality of strong minus weak. */
  public static double winScore(double[] predicted, int strong, int weak) {
    return predicted[strong] - predicted[weak];
  }

  /**
   * The held-out fifth of the data (for a tuned scorer, embedded by the encoder tuned without it),
   * the scorer fitted on the rest, and that encoder.
   */
  private record HeldOut(
      TrainingSet check, QualityScorer scorer, Optional<EncoderTuning.Tuned> tuned) {}

  private static HeldOut holdOut(ScorerSpec spec, TrainingSet data, long seed) {
    int[] order = new int[data.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    MatrixFactorisation.shuffle(order, new SplittableRandom(seed ^ 0x5DEECE66DL));
    int heldOut = Math.max(1, (int) Math.round(order.length * HELD_OUT));
    TrainingSet fitPart = data.subset(Arrays.copyOfRange(order, heldOut, order.length));
    TrainingSet checkPart = data.subset(Arrays.copyOfRange(order, 0, heldOut));
    if (tunes(spec)) {
      EncoderTuning.Tuned tuned = EncoderTuning.available().tune(fitPart, spec, seed);
      return new HeldOut(
          checkPart.withEmbeddings(tuned.embed(checkPart.texts())),
          tunedScorer(tuned, spec, fitPart, () -> tuned.embed(fitPart.texts()), seed),
          Optional.of(tuned));
    }
    return new HeldOut(checkPart, scorer(spec, fitPart, seed), Optional.empty());
  }

  private static double[] wins(HeldOut held, int strong, int weak) {
    TrainingSet check = held.check();
    double[] wins = new double[check.size()];
    for (int i = 0; i < wins.length; i++) {
      wins[i] =
          winScore(held.scorer().predict(check.embeddings()[i], check.features()[i]), strong, weak);
    }
    return wins;
  }

  /**
   * The cheapest threshold that keeps the route's quality target (see {@link QualityGuarantee}).
   */
  private static LearnedArtifact.Calibration guarantee(
      HeldOut held, TrainingSet data, ThresholdSpec threshold, QualityTarget target) {
    int strong = data.modelIndex(threshold.strong());
    int weak = data.modelIndex(threshold.weak());
    double[] wins = wins(held, strong, weak);
    double[][] quality = held.check().quality();
    double[] reference = target.of().map(m -> column(quality, data.modelIndex(m))).orElse(null);
    QualityGuarantee.Pick pick =
        QualityGuarantee.pick(
            wins,
            column(quality, strong),
            column(quality, weak),
            reference,
            target.quality(),
            target.confidence());
    double share = 0;
    for (double w : wins) {
      share += w >= pick.threshold() ? 1.0 / wins.length : 0;
    }
    LearnedArtifact.Promise promise =
        new LearnedArtifact.Promise(
            target.quality(),
            target.of().orElse(""),
            target.confidence(),
            pick.prompts(),
            pick.margin(),
            pick.met());
    return new LearnedArtifact.Calibration(
        threshold.strong(),
        threshold.weak(),
        pick.threshold(),
        "quality " + target.describe(),
        share,
        Optional.of(promise));
  }

  private static double[] column(double[][] rows, int index) {
    double[] column = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      column[i] = rows[i][index];
    }
    return column;
  }

  /** {@code held}: present when {@code target} is not none. */
  private static LearnedArtifact.Calibration calibrate(
      TrainingSet data, Optional<HeldOut> held, ThresholdSpec threshold, Target target) {
    int strong = data.modelIndex(threshold.strong());
    int weak = data.modelIndex(threshold.weak());
    if (target.kind().equals("none")) {
      double value = threshold.value().orElse(0);
      return new LearnedArtifact.Calibration(
          threshold.strong(), threshold.weak(), value, "none", Double.NaN);
    }
    TrainingSet checkPart = held.orElseThrow().check();
    double[] wins = wins(held.get(), strong, weak);
    double[] sorted = wins.clone();
    Arrays.sort(sorted);
    double value;
    if (target.kind().equals("strong-share")) {
      value = quantile(sorted, 1 - target.value());
    } else {
      value = Double.POSITIVE_INFINITY;
      // From "no strong calls" downwards, the first cut-off whose quality reaches the floor.
      for (int cut = sorted.length; cut >= 0; cut--) {
        double t = cut == sorted.length ? Double.POSITIVE_INFINITY : sorted[cut];
        double quality = 0;
        for (int i = 0; i < wins.length; i++) {
          quality +=
              (wins[i] >= t ? checkPart.quality()[i][strong] : checkPart.quality()[i][weak])
                  / wins.length;
        }
        if (quality >= target.value()) {
          value = t;
          break;
        }
      }
      if (value == Double.POSITIVE_INFINITY && sorted.length > 0) {
        value = sorted[0];
      }
    }
    double share = 0;
    for (double w : wins) {
      share += w >= value ? 1.0 / wins.length : 0;
    }
    return new LearnedArtifact.Calibration(
        threshold.strong(), threshold.weak(), value, target.toString(), share);
  }

  private static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    double position = q * (sorted.length - 1);
    int low = (int) Math.floor(position);
    int high = Math.min(low + 1, sorted.length - 1);
    return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
  }
}
