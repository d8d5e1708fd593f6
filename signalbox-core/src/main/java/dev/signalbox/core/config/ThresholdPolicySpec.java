package dev.signalbox.core.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The learned {@code threshold} policy (RouteLLM): a scorer's win score against a threshold.
 *
 * @param target the quality the threshold must keep, with its confidence: {@code train} then picks
 *     the cheapest threshold that keeps it on held-out prompts
 */
public record ThresholdPolicySpec(
    @WhenMissing(
            "a threshold route names its strong and weak model (threshold: {strong: …, weak: …})")
        ThresholdSpec threshold,
    @Default("{}") ScorerSpec scorer,
    @Default("last-user") @OneOf({"last-user", "user", "conversation"}) String embed,
    @Default("head") @OneOf({"head", "tail", "chunks"}) String window,
    @Default("strip") @OneOf({"strip", "keep"}) String prefixes,
    @Default("minilm") @OneOf({"minilm", "minilm-128", "e5-small"}) String encoder,
    Optional<Path> artifact,
    Optional<QualityTarget> target)
    implements PolicySpec, LearnedPolicySpec {

  @Override
  public Optional<ThresholdSpec> calibrates() {
    return Optional.of(threshold);
  }

  @Override
  public Optional<QualityTarget> qualityTarget() {
    return target;
  }

  @Override
  public void check(RouteCheck check) {
    threshold.checkModels(check);
    LearnedPolicySpec.checkArtifact(this, check);
    target
        .flatMap(QualityTarget::of)
        .filter(model -> !check.route().models().contains(model))
        .ifPresent(
            model ->
                check.problem(
                    "target.of",
                    "'"
                        + model
                        + "' is not one of the route's models ("
                        + String.join(", ", check.route().models())
                        + ")"));
    if (target.isPresent() && threshold.value().isPresent()) {
      check.problem(
          "target", "give a threshold value or a quality target, not both (the target sets it)");
    }
  }
}
