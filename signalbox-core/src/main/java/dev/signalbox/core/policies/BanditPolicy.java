package dev.signalbox.core.policies;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.Candidate;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.RoutingPolicy;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.api.Signals;
import dev.signalbox.core.config.BanditPolicySpec;
import dev.signalbox.core.config.BanditSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.learn.BanditLearner;
import dev.signalbox.core.learn.BanditState;
import dev.signalbox.core.learn.CheapFeatures;
import dev.signalbox.core.learn.LearnedArtifact;
import dev.signalbox.core.policy.Knob;
import dev.signalbox.core.policy.PolicyContext;
import dev.signalbox.core.policy.PolicyProvider;
import dev.signalbox.core.routing.RecordedSignals;
import dev.signalbox.core.text.SignalSources;
import dev.signalbox.core.text.TokenCounter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Future;

/**
 * A contextual bandit over the route's models: LinUCB (Li et al., 2010) or linear Thompson sampling
 * (Agrawal and Goyal, 2013). The context is a bias, the cheap features and the one-hot k-means
 * cluster of the prompt's embedding (clusters fitted on training data, stored in the artifact); the
 * reward is feedback quality minus a cost penalty (cost over the dearest candidate's) and an
 * optional energy penalty. Exploration beyond the greedy choice is capped: once the share of
 * decisions that explored reaches the budget, the greedy arm is taken. Pure given its input and the
 * learner-state version it reads, which every decision names; Thompson's propensity is estimated
 * from 256 seeded draws.
 */
public final class BanditPolicy implements RoutingPolicy {
  public static final String NAME = "bandit";
  static final int PROPENSITY_DRAWS = 256;

  private final LearnedArtifact artifact;
  private final BanditSpec spec;
  private final BanditLearner state;
  private final RouteSpec route;
  private final List<Candidate> candidates;
  private final TokenCounter tokens;

  public BanditPolicy(
      RouteSpec route,
      BanditSpec spec,
      LearnedArtifact artifact,
      BanditLearner state,
      List<Candidate> candidates,
      TokenCounter tokens) {
    this.artifact = artifact;
    this.spec = spec;
    this.state = state;
    this.route = route;
    this.candidates = List.copyOf(candidates);
    this.tokens = tokens;
  }

  /** Registers the policy: its artifact and learner come from the context. */
  public static final class Provider implements PolicyProvider<BanditPolicySpec> {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Class<BanditPolicySpec> specType() {
      return BanditPolicySpec.class;
    }

    @Override
    public RoutingPolicy create(RouteSpec route, BanditPolicySpec spec, PolicyContext context) {
      LearnedArtifact artifact = context.artifacts().artifactFor(route, spec);
      return new BanditPolicy(
          route,
          spec.bandit(),
          artifact,
          context.artifacts().learnerFor(route, spec, artifact),
          context.candidates(route),
          context.tokens());
    }

    @Override
    public Knob knob(
        RouteSpec route, BanditPolicySpec spec, RoutingPolicy policy, PolicyContext context) {
      BanditPolicy bandit = (BanditPolicy) policy;
      List<String> labels = new ArrayList<>();
      for (double penalty : DECISION_COST_PENALTIES) {
        labels.add("cost penalty " + penalty);
      }
      return new Knob.Grid(
          labels, (signals, setting) -> bandit.greedyAt(signals, DECISION_COST_PENALTIES[setting]));
    }
  }

  /**
   * The cost penalties {@code eval} sweeps a bandit's greedy choice over: the learner keeps the
   * reward it was taught (quality less the route's penalty), and a decision weighs each arm's
   * estimated cost again by the difference.
   */
  static final double[] DECISION_COST_PENALTIES = {
    0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3
  };

  /**
   * The arm with the best expected reward, no exploration, had the reward's cost penalty been
   * {@code penalty}: each arm's mean plus (the route's penalty − {@code penalty}) × its estimated
   * cost over the dearest arm's.
   */
  public String greedyAt(Signals signals, double penalty) {
    BanditState current = state.get();
    double[] x = context(artifact, signals);
    long prompt = signals.promptTokens();
    double[] costs = new double[candidates.size()];
    double dearest = 0;
    for (int i = 0; i < costs.length; i++) {
      Candidate candidate = candidates.get(i);
      double output =
          ObjectivePolicy.outputTokens(artifact, candidate.model(), signals.maxOutputTokens());
      costs[i] = candidate.pricing().estimate(prompt, Math.round(output));
      dearest = Math.max(dearest, costs[i]);
    }
    double[] scores = new double[costs.length];
    for (int i = 0; i < scores.length; i++) {
      int arm = current.arm(candidates.get(i).model());
      double ratio = dearest > 0 ? costs[i] / dearest : 0;
      scores[i] = (arm < 0 ? 0 : current.mean(arm, x)) + (spec.costPenalty() - penalty) * ratio;
    }
    return candidates.get(argmax(scores)).model();
  }

  @Override
  public boolean learn(DecisionTrace trace, double score) {
    Future<Long> unused = learn(trace, score, candidates);
    return true;
  }

  public BanditLearner learner() {
    return state;
  }

  /**
   * Teaches the learner the feedback on one of this route's decisions, from its trace alone: the
   * context from the recorded signals, the model that answered, the reward from the score, the
   * recorded cost and the usage priced at each candidate's price. Off the caller's thread.
   */
  public java.util.concurrent.Future<Long> learn(
      DecisionTrace trace, double score, List<Candidate> candidates) {
    String model =
        trace.attempts().stream()
            .filter(a -> a.result().equals("ok"))
            .map(AttemptTrace::model)
            .reduce((a, b) -> b)
            .orElse(trace.plan().isEmpty() ? "" : trace.plan().get(0).model());
    RecordedSignals signals =
        new RecordedSignals(
            trace.requestedModel(),
            trace.tenant(),
            trace.signals(),
            List.of(),
            java.util.OptionalLong.of(trace.usage().promptTokens()),
            route.defaultMaxTokens(),
            SignalSources.tokensOnly(tokens));
    double[] x = context(artifact, signals);
    long prompt = trace.usage().promptTokens();
    long output = trace.usage().completionTokens();
    double dearest =
        candidates.stream().mapToDouble(c -> c.pricing().estimate(prompt, output)).max().orElse(0);
    double mostJoules =
        candidates.stream()
            .mapToDouble(c -> c.joulesPerToken() * (prompt + output))
            .max()
            .orElse(0);
    double joules =
        candidates.stream()
            .filter(c -> c.model().equals(model))
            .mapToDouble(c -> c.joulesPerToken() * (prompt + output))
            .findFirst()
            .orElse(0);
    boolean exploring =
        trace.candidates().stream()
            .anyMatch(c -> c.model().equals(model) && c.reason().endsWith(", exploring"));
    return state.reward(
        model, x, reward(spec, score, trace.costUsd(), dearest, joules, mostJoules), exploring);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The context vector: 1, the cheap features, the one-hot cluster. */
  public static double[] context(LearnedArtifact artifact, Signals signals) {
    double[] features = CheapFeatures.of(signals);
    int clusters = artifact.clusters().length;
    double[] x = new double[1 + features.length + clusters];
    x[0] = 1;
    System.arraycopy(features, 0, x, 1, features.length);
    if (clusters > 0) {
      x[
              1
                  + features.length
                  + artifact.cluster(
                      signals.embedding(
                          artifact.embed(), artifact.textWindow(), artifact.encoder()))] =
          1;
    }
    return x;
  }

  public static int dimensions(LearnedArtifact artifact) {
    return 1 + CheapFeatures.SIZE + artifact.clusters().length;
  }

  /**
   * The reward a decision earns: quality less the stated penalties, each over the route's dearest
   * candidate.
   */
  public static double reward(
      BanditSpec spec,
      double quality,
      double cost,
      double dearestCost,
      double joules,
      double mostJoules) {
    return quality
        - spec.costPenalty() * (dearestCost > 0 ? cost / dearestCost : 0)
        - spec.energyPenalty() * (mostJoules > 0 ? joules / mostJoules : 0);
  }

  @Override
  public PolicyResult decide(PolicyInput input) {
    BanditState current = state.get();
    double[] x = context(artifact, input.signals());
    List<Candidate> candidates = input.candidates();
    double[] means = new double[candidates.size()];
    double[] widths = new double[candidates.size()];
    for (int i = 0; i < candidates.size(); i++) {
      int arm = current.arm(candidates.get(i).model());
      means[i] = arm < 0 ? 0 : current.mean(arm, x);
      widths[i] = arm < 0 ? Math.sqrt(x.length) : current.width(arm, x);
    }
    int greedy = argmax(means);
    boolean thompson = spec.algorithm().equals("thompson");
    int choice =
        thompson
            ? argmax(sampled(means, widths, new SplittableRandom(input.seed())))
            : argmax(optimistic(means, widths));
    boolean budgetSpent =
        current.explored() >= spec.explorationBudget() * Math.max(1, current.updates());
    String why;
    if (choice != greedy && budgetSpent) {
      choice = greedy;
      why = "exploration budget spent, greedy";
    } else {
      why = choice == greedy ? "greedy" : "exploring";
    }
    Map<String, Double> probabilities = new HashMap<>();
    double propensity = 1;
    if (thompson && !budgetSpent) {
      int[] wins = new int[candidates.size()];
      SplittableRandom draws = new SplittableRandom(input.seed() ^ 0x9E3779B97F4A7C15L);
      for (int d = 0; d < PROPENSITY_DRAWS; d++) {
        wins[argmax(sampled(means, widths, draws))]++;
      }
      for (int i = 0; i < candidates.size(); i++) {
        if (wins[i] > 0) {
          probabilities.put(candidates.get(i).model(), wins[i] / (double) PROPENSITY_DRAWS);
        }
      }
      propensity = Math.max(wins[choice], 1) / (double) PROPENSITY_DRAWS;
    } else {
      probabilities.put(candidates.get(choice).model(), 1.0);
    }
    List<Integer> rest = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      if (i != choice) {
        rest.add(i);
      }
    }
    rest.sort(
        Comparator.comparingDouble((Integer i) -> -means[i])
            .thenComparing(i -> candidates.get(i).model()));
    List<ScoredModel> order = new ArrayList<>();
    order.add(
        new ScoredModel(
            candidates.get(choice).model(),
            means[choice],
            String.format(
                Locale.ROOT,
                "%s v%d: expected reward %.4f ± %.4f, %s",
                spec.algorithm(),
                current.version(),
                means[choice],
                widths[choice],
                why)));
    for (int i : rest) {
      order.add(
          new ScoredModel(
              candidates.get(i).model(),
              means[i],
              String.format(Locale.ROOT, "expected reward %.4f ± %.4f", means[i], widths[i])));
    }
    probabilities.keySet().retainAll(candidates.stream().map(Candidate::model).toList());
    return new PolicyResult.Ranked(order, Math.min(1, propensity), probabilities);
  }

  private double[] optimistic(double[] means, double[] widths) {
    double[] scores = new double[means.length];
    for (int i = 0; i < means.length; i++) {
      scores[i] = means[i] + spec.exploration() * widths[i];
    }
    return scores;
  }

  private double[] sampled(double[] means, double[] widths, SplittableRandom random) {
    double[] scores = new double[means.length];
    for (int i = 0; i < means.length; i++) {
      scores[i] = means[i] + spec.exploration() * widths[i] * random.nextGaussian();
    }
    return scores;
  }

  /** The index of the largest value, the first on ties (candidates come in the route's order). */
  private static int argmax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
