package dev.signalbox.core.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a learned route ({@code threshold}, {@code objective}, {@code bandit}) is fitted with and
 * reads: its scorer, the part of the conversation it embeds, and the artifact the fit was written
 * to ({@code ./signalbox train}). Offline, {@code eval} fits the scorer again on each fold and
 * ignores the artifact.
 *
 * @param embed {@code last-user}, {@code user} or {@code conversation}
 * @param artifact the artifact file (relative to the working directory)
 * @param domains a {@code rules} route's domain classifier
 */
public record LearningSpec(
    ScorerSpec scorer,
    String embed,
    Optional<Path> artifact,
    ObjectiveSpec objective,
    BanditSpec bandit,
    Optional<DomainSpec> domains) {
  public static final LearningSpec NONE =
      new LearningSpec(
          ScorerSpec.DEFAULT,
          "last-user",
          Optional.empty(),
          ObjectiveSpec.BALANCED,
          BanditSpec.DEFAULT,
          Optional.empty());

  public LearningSpec {
    Objects.requireNonNull(scorer);
    Objects.requireNonNull(embed);
    Objects.requireNonNull(artifact);
    Objects.requireNonNull(objective);
    Objects.requireNonNull(bandit);
    Objects.requireNonNull(domains);
  }

  /**
   * A quality scorer and its settings.
   *
   * @param kind {@code knn}, {@code mf} or {@code logistic}
   * @param k the neighbours {@code knn} averages
   * @param smoothing the pseudo-prompts of the model's prior {@code knn} adds
   * @param latent the latent dimensions of {@code mf}
   * @param epochs passes over the data for {@code mf} and {@code logistic}
   */
  public record ScorerSpec(String kind, int k, double smoothing, int latent, int epochs) {
    public static final ScorerSpec DEFAULT = new ScorerSpec("knn", 40, 4, 16, 8);
  }
}
