package dev.signalbox.core.learn;

import dev.signalbox.api.TextWindow;
import dev.signalbox.core.embed.EncoderModel;
import dev.signalbox.core.embed.TunedEncoders;
import dev.signalbox.core.embed.TunedLayers;
import dev.signalbox.core.text.SharedPrefixes;
import dev.signalbox.core.text.TextWindows;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@code ./signalbox train} writes and a learned route serves from: a fitted scorer, the
 * threshold calibrated for a target, the k-means clusters a bandit reads, and what the fit depended
 * on, so that a route never serves from vectors of another embedding model or data it did not
 * expect.
 *
 * @param embeddingModel the id of the embedding model the vectors came from
 * @param embed the part of the conversation that was embedded
 * @param window the window the encoder read that part through ({@link TextWindows#KINDS}); empty
 *     for an artifact written before windows existed, which read the whole text from its start
 * @param prefixes the shared beginnings skipped before the window, learnt from the training data
 *     (perhaps none); empty when the route keeps the text whole
 * @param dataHash SHA-256 of the training prompts' ids and qualities
 * @param dataSource where the training data was read from, for people
 * @param clusters k-means centroids over the training embeddings (empty unless a bandit asked)
 * @param outputTokens per model, the mean output length in the training data
 * @param tuned the encoder tuned with the scorer (scorers {@code tuned} and {@code tuned+knn}),
 *     whose vectors it reads; made known to the process ({@link TunedEncoders}) when the artifact
 *     is made
 */
public record LearnedArtifact(
    String policy,
    String embeddingModel,
    String embed,
    String window,
    Optional<SharedPrefixes> prefixes,
    String dataHash,
    String dataSource,
    List<String> models,
    QualityScorer scorer,
    Optional<Calibration> calibration,
    float[][] clusters,
    double[] outputTokens,
    Optional<TunedLayers> tuned) {
  public static final int FORMAT = 1;

  public LearnedArtifact(
      String policy,
      String embeddingModel,
      String embed,
      String window,
      Optional<SharedPrefixes> prefixes,
      String dataHash,
      String dataSource,
      List<String> models,
      QualityScorer scorer,
      Optional<Calibration> calibration,
      float[][] clusters,
      double[] outputTokens) {
    this(
        policy,
        embeddingModel,
        embed,
        window,
        prefixes,
        dataHash,
        dataSource,
        models,
        scorer,
        calibration,
        clusters,
        outputTokens,
        Optional.empty());
  }

  public LearnedArtifact {
    Objects.requireNonNull(tuned);
    tuned.ifPresent(TunedEncoders::register);
    Objects.requireNonNull(policy);
    Objects.requireNonNull(embeddingModel);
    models = List.copyOf(models);
    Objects.requireNonNull(scorer);
    Objects.requireNonNull(calibration);
    Objects.requireNonNull(prefixes);
  }

  /**
   * What the route's signals embed through: the training data was embedded through the same, so
   * serving follows the artifact (the route's settings say how {@code train} fits).
   */
  public TextWindow textWindow() {
    return window.isEmpty()
        ? TextWindow.WHOLE
        : TextWindows.of(window, prefixes.orElse(SharedPrefixes.NONE));
  }

  /**
   * A two-model threshold and how it was chosen.
   *
   * @param target what it was calibrated for: {@code strong-share=0.3}, {@code quality-floor=0.78}
   *     or {@code none}
   * @param strongShare the share of held-out training prompts it sends to the strong model
   * @param promise the quality it was picked to keep, when the route set a target
   */
  public record Calibration(
      String strong,
      String weak,
      double value,
      String target,
      double strongShare,
      Optional<Promise> promise) {
    public Calibration(
        String strong, String weak, double value, String target, double strongShare) {
      this(strong, weak, value, target, strongShare, Optional.empty());
    }
  }

  /**
   * A quality target the threshold keeps with a confidence, by Learn then Test on held-out prompts
   * (see {@link QualityGuarantee}).
   *
   * @param quality the share of {@code of}'s quality (or, with {@code of} empty, the quality)
   * @param prompts the held-out prompts it was tested on
   * @param margin their mean quality above what was promised at the threshold picked
   * @param met false when not even the strong model alone could be shown to keep it
   */
  public record Promise(
      double quality, String of, double confidence, int prompts, double margin, boolean met) {}

  /**
   * The name of the encoder whose vectors the artifact holds, which the route's signals must embed
   * with; empty (the default encoder) for an id of none of the known ones, as tests' fakes have.
   */
  public String encoder() {
    if (tuned.isPresent()) {
      return tuned.get().name();
    }
    return EncoderModel.byId(embeddingModel).map(EncoderModel::name).orElse("");
  }

  /**
   * The route's scorer kind this artifact was fitted for: the scorer's own, or with a tuned encoder
   * {@code tuned} for its head (an {@code mlp}) and {@code tuned+knn} for the head and the parts
   * blended with it.
   */
  public String scorerKind() {
    if (tuned.isEmpty()) {
      return scorer.kind();
    }
    return scorer instanceof BlendScorer blend
        ? Training.TUNED
            + blend.parts().stream()
                .skip(1)
                .map(part -> "+" + part.kind())
                .collect(Collectors.joining())
        : Training.TUNED;
  }

  public int modelIndex(String model) {
    return models.indexOf(model);
  }

  /** The nearest cluster's index, or 0 when there are none. */
  public int cluster(float[] embedding) {
    int best = 0;
    float bestSimilarity = Float.NEGATIVE_INFINITY;
    for (int c = 0; c < clusters.length; c++) {
      float similarity = dev.signalbox.core.embed.Vectors.dot(embedding, clusters[c]);
      if (similarity > bestSimilarity) {
        best = c;
        bestSimilarity = similarity;
      }
    }
    return best;
  }
}
