package dev.signalbox.core.config;

import java.nio.file.Path;
import java.util.Optional;

/** The learned {@code objective} policy: predicted quality against cost, latency and energy. */
public record ObjectivePolicySpec(
    @Default("{}") ScorerSpec scorer,
    @Default("last-user") @OneOf({"last-user", "user", "conversation"}) String embed,
    @Default("head") @OneOf({"head", "tail", "chunks"}) String window,
    @Default("strip") @OneOf({"strip", "keep"}) String prefixes,
    @Default("minilm") @OneOf({"minilm", "minilm-128", "e5-small"}) String encoder,
    Optional<Path> artifact,
    @Default("{}") ObjectiveSpec objective)
    implements PolicySpec, LearnedPolicySpec {

  @Override
  public void check(RouteCheck check) {
    LearnedPolicySpec.checkArtifact(this, check);
  }
}
