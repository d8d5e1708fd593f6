package dev.signalbox.core.policies;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.api.Signals;
import dev.signalbox.core.config.ObjectivePolicySpec;
import dev.signalbox.core.config.ObjectiveSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.learn.LearnedArtifact;
import dev.signalbox.core.learn.Scoring;
import dev.signalbox.core.policy.Knob;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.policy.PolicyProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The one joint scorer: each candidate's predicted quality, estimated cost, predicted latency and
 * energy on one weighted scale, in the manner of RouteBalance's serving-aware scoring (which scores
 * each instance on quality, latency, cost and load together) and GreenServ's energy term.
 *
 * <p>Terms, per candidate: quality q from the artifact's scorer, in [0, 1]; cost = its price on the
 * prompt's tokens plus the output length the training data showed for it (at most the request's
 * max_tokens); latency = its best deployment's live time to first token plus time per token × that
 * output length, from the pool snapshot (a deployment never measured counts as the mean of the
 * measured ones, or 0 when none is); energy = joules per token × all tokens. Cost, latency and
 * energy are divided by the largest among the candidates, so each lies in [0, 1] and the weights
 * compare like with like. Score = w_q q − w_c cost − w_l latency − w_e energy. A candidate over a
 * hard limit (max cost, max latency) is left out with the reason. Ties go to the cheaper, then to
 * the name.
 */
public final class ObjectivePolicy implements RoutingPolicy {
  public static final String NAME = "objective";

  private final LearnedArtifact artifact;
  private final ObjectiveSpec objective;

  public ObjectivePolicy(ObjectiveSpec objective, LearnedArtifact artifact) {
    this.artifact = artifact;
    this.objective = objective;
  }

  /**
   * The cost weights {@code eval} draws an objective route's curve over, its other weights as
   * configured.
   */
  public static final List<Double> COST_WEIGHTS =
      List.of(0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0);

  /**
   * Registers the policy. Its knob is the cost weight: each request's predicted qualities are
   * computed once and ranked by {@link #rank} at every weight, on an idle pool.
   */
  public static final class Provider implements PolicyProvider<ObjectivePolicySpec> {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Class<ObjectivePolicySpec> specType() {
      return ObjectivePolicySpec.class;
    }

    @Override
    public RoutingPolicy create(RouteSpec route, ObjectivePolicySpec spec, PolicyContext context) {
      return new ObjectivePolicy(spec.objective(), context.artifacts().artifactFor(route, spec));
    }

    @Override
    public Knob knob(
        RouteSpec route, ObjectivePolicySpec spec, RoutingPolicy policy, PolicyContext context) {
      LearnedArtifact artifact = ((ObjectivePolicy) policy).artifact;
      List<Candidate> candidates = context.candidates(route);
      Map<Signals, double[]> predictions = Collections.synchronizedMap(new WeakHashMap<>());
      List<String> labels = new ArrayList<>();
      List<ObjectiveSpec> settings = new ArrayList<>();
      for (double weight : COST_WEIGHTS) {
        labels.add("cost weight " + weight);
        settings.add(spec.objective().withCostWeight(weight));
      }
      return new Knob.Grid(
          labels,
          (signals, setting) -> {
            double[] predicted =
                predictions.computeIfAbsent(signals, s -> Scoring.predict(artifact, s));
            List<ScoredModel> order =
                rank(
                    settings.get(setting),
                    artifact,
                    predicted,
                    candidates,
                    signals.promptTokens(),
                    signals.maxOutputTokens(),
                    PoolSnapshot.EMPTY);
            return order.isEmpty() ? route.models().get(0) : order.get(0).model();
          });
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PolicyResult decide(PolicyInput input) {
    double[] predicted = Scoring.predict(artifact, input.signals());
    long promptTokens = input.signals().promptTokens();
    long maxOutput = input.signals().maxOutputTokens();
    return PolicyResult.Ranked.deterministic(
        rank(
            objective,
            artifact,
            predicted,
            input.candidates(),
            promptTokens,
            maxOutput,
            input.pool()));
  }

  /** Every model's predicted quality for a request, in the artifact's model order. */
  public static double[] predict(LearnedArtifact artifact, dev.signalbox.api.Signals signals) {
    return Scoring.predict(artifact, signals);
  }

  /** One candidate's terms before weighting. */
  public record Terms(
      String model, double quality, double costUsd, double latencyMillis, double joules) {}

  /** The candidates best first, those over a hard limit left out; pure. */
  public static List<ScoredModel> rank(
      ObjectiveSpec objective,
      LearnedArtifact artifact,
      double[] predicted,
      List<Candidate> candidates,
      long promptTokens,
      long maxOutput,
      PoolSnapshot pool) {
    List<Terms> terms = new ArrayList<>();
    double measuredSum = 0;
    int measured = 0;
    for (Candidate candidate : candidates) {
      double latency =
          bestLatency(candidate, pool, outputTokens(artifact, candidate.model(), maxOutput));
      if (!Double.isNaN(latency)) {
        measuredSum += latency;
        measured++;
      }
    }
    double unmeasured = measured == 0 ? 0 : measuredSum / measured;
    for (Candidate candidate : candidates) {
      int index = artifact.modelIndex(candidate.model());
      double output = outputTokens(artifact, candidate.model(), maxOutput);
      double latency = bestLatency(candidate, pool, output);
      terms.add(
          new Terms(
              candidate.model(),
              index < 0 ? 0 : predicted[index],
              candidate.pricing().estimate(promptTokens, Math.round(output)),
              Double.isNaN(latency) ? unmeasured : latency,
              candidate.joulesPerToken() * (promptTokens + output)));
    }
    double maxCost = terms.stream().mapToDouble(Terms::costUsd).max().orElse(0);
    double maxLatency = terms.stream().mapToDouble(Terms::latencyMillis).max().orElse(0);
    double maxJoules = terms.stream().mapToDouble(Terms::joules).max().orElse(0);
    record Scored(Terms terms, double score) {}
    List<Scored> scored = new ArrayList<>();
    for (Terms t : terms) {
      if (objective.maxCostUsd().isPresent()
          && t.costUsd() > objective.maxCostUsd().getAsDouble()) {
        continue;
      }
      if (objective.maxLatencyMillis().isPresent()
          && t.latencyMillis() > objective.maxLatencyMillis().getAsDouble()) {
        continue;
      }
      double score =
          objective.quality() * t.quality()
              - objective.cost() * ratio(t.costUsd(), maxCost)
              - objective.latency() * ratio(t.latencyMillis(), maxLatency)
              - objective.energy() * ratio(t.joules(), maxJoules);
      scored.add(new Scored(t, score));
    }
    scored.sort(
        Comparator.comparingDouble((Scored s) -> -s.score())
            .thenComparingDouble(s -> s.terms().costUsd())
            .thenComparing(s -> s.terms().model()));
    List<ScoredModel> order = new ArrayList<>();
    for (Scored s : scored) {
      Terms t = s.terms();
      order.add(
          new ScoredModel(
              t.model(),
              s.score(),
              String.format(
                  Locale.ROOT,
                  "%s: quality %.3f, cost $%.6f, latency %.0f ms, energy %.1f J",
                  objective.label(),
                  t.quality(),
                  t.costUsd(),
                  t.latencyMillis(),
                  t.joules())));
    }
    return order;
  }

  /** The output length the training data showed for the model, at most the request's max_tokens. */
  static double outputTokens(LearnedArtifact artifact, String model, long maxOutput) {
    int index = artifact.modelIndex(model);
    double typical = index < 0 ? (double) maxOutput : artifact.outputTokens()[index];
    return Math.min(typical, (double) maxOutput);
  }

  /**
   * The fastest predicted answer among the model's deployments with a closed circuit; NaN if none
   * was measured.
   */
  static double bestLatency(Candidate candidate, PoolSnapshot pool, double outputTokens) {
    double best = Double.NaN;
    for (String deployment : candidate.deployments()) {
      DeploymentState state = pool.state(deployment);
      if (state.open() || Double.isNaN(state.ttftMillis())) {
        continue;
      }
      double perToken = Double.isNaN(state.millisPerToken()) ? 0 : state.millisPerToken();
      double latency = state.ttftMillis() + perToken * outputTokens;
      best = Double.isNaN(best) ? latency : Math.min(best, latency);
    }
    return best;
  }

  private static double ratio(double value, double max) {
    return max > 0 ? value / max : 0;
  }
}
