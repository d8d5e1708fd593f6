package dev.signalbox.core.policies;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.config.ThresholdPolicySpec;
import dev.signalbox.core.config.ThresholdSpec;
import dev.signalbox.core.learn.LearnedArtifact;
import dev.signalbox.core.learn.Scoring;
import dev.signalbox.core.learn.Training;
import dev.signalbox.core.policy.Knob;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.policy.PolicyProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * RouteLLM's threshold router (Ong et al., 2024): a learned scorer predicts each model's quality
 * from the prompt's embedding; when the strong model's predicted quality exceeds the weak one's by
 * at least the threshold (the "win score"), the strong model answers, else the weak one. The
 * threshold is the route's {@code threshold.value}, else the one {@code train --target} calibrated.
 */
public final class ThresholdPolicy implements RoutingPolicy {
  public static final String NAME = "threshold";

  private final LearnedArtifact artifact;
  private final String strong;
  private final String weak;
  private final int strongIndex;
  private final int weakIndex;
  private final double threshold;
  private final String tag;

  public ThresholdPolicy(ThresholdSpec spec, LearnedArtifact artifact) {
    this.artifact = artifact;
    this.strong = spec.strong();
    this.weak = spec.weak();
    this.strongIndex = artifact.modelIndex(strong);
    this.weakIndex = artifact.modelIndex(weak);
    this.threshold =
        spec.value()
            .orElse(artifact.calibration().map(LearnedArtifact.Calibration::value).orElse(0.0));
    this.tag =
        artifact.scorerKind()
            + " on data "
            + artifact.dataHash().substring(0, Math.min(12, artifact.dataHash().length()));
  }

  /**
   * Registers the policy: its artifact comes from the context (the route's file when serving, a fit
   * of the fold in eval); its knob is the threshold over the win score.
   */
  public static final class Provider implements PolicyProvider<ThresholdPolicySpec> {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Class<ThresholdPolicySpec> specType() {
      return ThresholdPolicySpec.class;
    }

    @Override
    public RoutingPolicy create(RouteSpec route, ThresholdPolicySpec spec, PolicyContext context) {
      return new ThresholdPolicy(spec.threshold(), context.artifacts().artifactFor(route, spec));
    }

    @Override
    public Knob knob(
        RouteSpec route, ThresholdPolicySpec spec, RoutingPolicy policy, PolicyContext context) {
      ThresholdPolicy threshold = (ThresholdPolicy) policy;
      return new Knob.Threshold(
          spec.threshold().strong(), spec.threshold().weak(), threshold::winScore);
    }
  }

  /** The score this route's threshold is compared with for a request. */
  public double winScore(dev.signalbox.api.Signals signals) {
    return Training.winScore(Scoring.predict(artifact, signals), strongIndex, weakIndex);
  }

  @Override
  public String name() {
    return NAME;
  }

  public double threshold() {
    return threshold;
  }

  /**
   * The score a threshold is compared with for a request: strong's predicted quality minus weak's.
   */
  public static double winScore(
      LearnedArtifact artifact, ThresholdSpec spec, dev.signalbox.api.Signals signals) {
    double[] predicted = Scoring.predict(artifact, signals);
    return Training.winScore(
        predicted, artifact.modelIndex(spec.strong()), artifact.modelIndex(spec.weak()));
  }

  @Override
  public PolicyResult decide(PolicyInput input) {
    double[] predicted = Scoring.predict(artifact, input.signals());
    double win = Training.winScore(predicted, strongIndex, weakIndex);
    boolean toStrong = win >= threshold;
    String first = toStrong ? strong : weak;
    String reason =
        String.format(
            java.util.Locale.ROOT,
            "%s: win %.4f %s %.4f",
            tag,
            win,
            toStrong ? ">=" : "<",
            threshold);
    List<ScoredModel> order = new ArrayList<>();
    for (String model : List.of(first, toStrong ? weak : strong)) {
      if (input.candidates().stream().map(Candidate::model).anyMatch(model::equals)) {
        int index = model.equals(strong) ? strongIndex : weakIndex;
        order.add(
            new ScoredModel(
                model,
                predicted[index],
                model.equals(first) ? reason : "the other side of the threshold"));
      }
    }
    return PolicyResult.Ranked.deterministic(order);
  }
}
