package dev.signalbox.core.policies;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.config.ScorePolicySpec;
import dev.signalbox.core.config.ThresholdSpec;
import dev.signalbox.core.policy.Knob;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.policy.PolicyProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * RouteLLM's threshold router on a score the request brings: {@code x-signalbox-score-<name>} at or
 * above the threshold sends it to the strong model, below to the weak one. A request without a
 * usable score goes to the strong model, so that a missing score never costs quality. Offline the
 * evaluator supplies the data's score column, which checks threshold metrics on known scores.
 */
public final class ScorePolicy implements RoutingPolicy {
  public static final String NAME = "score";

  private final ThresholdSpec threshold;
  private final double value;

  ScorePolicy(ThresholdSpec threshold) {
    this.threshold = threshold;
    this.value = threshold.value().orElse(ScorePolicySpec.DEFAULT_VALUE);
  }

  /** Registers the policy; its knob is the threshold over the request's score. */
  public static final class Provider implements PolicyProvider<ScorePolicySpec> {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Class<ScorePolicySpec> specType() {
      return ScorePolicySpec.class;
    }

    @Override
    public RoutingPolicy create(RouteSpec route, ScorePolicySpec spec, PolicyContext context) {
      return new ScorePolicy(spec.threshold());
    }

    @Override
    public Knob knob(
        RouteSpec route, ScorePolicySpec spec, RoutingPolicy policy, PolicyContext context) {
      ThresholdSpec t = spec.threshold();
      return new Knob.Threshold(
          t.strong(),
          t.weak(),
          signals -> signals.header(t.header()).map(ScorePolicy::parse).orElse(Double.NaN));
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PolicyResult decide(PolicyInput input) {
    Optional<String> header = input.signals().header(threshold.header());
    double score = header.map(ScorePolicy::parse).orElse(Double.NaN);
    boolean strong = Double.isNaN(score) || score >= value;
    String first = strong ? threshold.strong() : threshold.weak();
    String second = strong ? threshold.weak() : threshold.strong();
    String reason =
        Double.isNaN(score)
            ? "no usable score " + threshold.score() + ": strong"
            : "score " + score + (strong ? " >= " : " < ") + value;
    List<ScoredModel> order = new ArrayList<>();
    for (String model : List.of(first, second)) {
      if (input.candidates().stream().map(Candidate::model).anyMatch(model::equals)) {
        order.add(
            new ScoredModel(
                model,
                model.equals(first) ? score : Double.NaN,
                model.equals(first) ? reason : "the other side of the threshold"));
      }
    }
    return PolicyResult.Ranked.deterministic(order);
  }

  private static double parse(String text) {
    try {
      double value = Double.parseDouble(text.trim());
      return Double.isFinite(value) ? value : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
