package dev.signalbox.core.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The learned {@code bandit} policy: a contextual bandit that learns from feedback as it serves.
 */
public record BanditPolicySpec(
    @Default("{}") ScorerSpec scorer,
    @Default("last-user") @OneOf({"last-user", "user", "conversation"}) String embed,
    @Default("head") @OneOf({"head", "tail", "chunks"}) String window,
    @Default("strip") @OneOf({"strip", "keep"}) String prefixes,
    @Default("minilm") @OneOf({"minilm", "minilm-128", "e5-small"}) String encoder,
    Optional<Path> artifact,
    @Default("{}") BanditSpec bandit)
    implements PolicySpec, LearnedPolicySpec {

  @Override
  public int clusters() {
    return bandit.clusters();
  }

  @Override
  public void check(RouteCheck check) {
    LearnedPolicySpec.checkArtifact(this, check);
  }
}
