package dev.signalbox.core.config;

import java.nio.file.Path;
import java.util.Optional;

/** The learned {@code threshold} policy (RouteLLM): a scorer's win score against a threshold. */
public record ThresholdPolicySpec(
    @WhenMissing(
            "a threshold route names its strong and weak model (threshold: {strong: …, weak: …})")
        ThresholdSpec threshold,
    @Default("{}") ScorerSpec scorer,
    @Default("last-user") @OneOf({"last-user", "user", "conversation"}) String embed,
    Optional<Path> artifact)
    implements PolicySpec, LearnedPolicySpec {

  @Override
  public Optional<ThresholdSpec> calibrates() {
    return Optional.of(threshold);
  }

  @Override
  public void check(RouteCheck check) {
    threshold.checkModels(check);
    LearnedPolicySpec.checkArtifact(this, check);
  }
}
