package dev.signalbox.eval.policy;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.core.config.BanditSpec;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.learn.BanditLearner;
import dev.signalbox.core.learn.LearnedArtifact;
import dev.signalbox.core.policies.BanditPolicy;
import dev.signalbox.core.routing.Decision;
import dev.signalbox.core.routing.Router;
import dev.signalbox.eval.data.EvalPrompt;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;

/**
 * A bandit route learning offline as it would online: a seeded pass over the fold's training part
 * in random order, each prompt decided by the gateway's router with the learner's current state,
 * the reward of the chosen model alone revealed and learned from. Its learning curve compares the
 * reward earned with the oracle's (the best reward each prompt had) and the best single model's in
 * hindsight.
 */
final class BanditPass {
  private BanditPass() {}

  /** What the pass learned, and how it went. */
  record Result(BanditLearner learner, List<String> curve) {}

  static Result run(
      GatewayConfig config,
      RouteSpec route,
      BanditSpec spec,
      LearnedArtifact artifact,
      List<EvalPrompt> train,
      EvalContext context,
      java.util.function.Function<BanditLearner, Router> routerWith) {
    BanditLearner learner = untrained(route, artifact);
    Router router = routerWith.apply(learner);
    List<Candidate> candidates =
        route.models().stream().map(m -> config.model(m).orElseThrow().candidate()).toList();
    List<EvalPrompt> order = new ArrayList<>(train);
    shuffle(order, new SplittableRandom(context.seed()));
    double low = context.dataset().scale().min();
    double range = context.dataset().scale().max() - low;
    double earned = 0;
    double oracle = 0;
    double[] fixed = new double[candidates.size()];
    List<String> curve = new ArrayList<>();
    int step = 0;
    int checkpoint = Math.max(1, order.size() / 4);
    for (EvalPrompt prompt : order) {
      step++;
      double[] rewards = rewards(prompt, candidates, spec, low, range);
      double best = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < rewards.length; i++) {
        fixed[i] += rewards[i];
        best = Math.max(best, rewards[i]);
      }
      oracle += best;
      String chosen =
          switch (router.decide(
              TrainingData.signals(
                  prompt, route.name(), Map.of(), route.defaultMaxTokens(), context),
              context.seedFor(prompt),
              PoolSnapshot.EMPTY)) {
            case Decision.Routed routed -> routed.plan().get(0).model().name();
            case Decision.Rejected rejected ->
                throw new IllegalStateException(rejected.error().getMessage());
          };
      int arm = route.models().indexOf(chosen);
      earned += rewards[arm];
      double[] x =
          BanditPolicy.context(
              artifact,
              TrainingData.signals(
                  prompt, route.name(), Map.of(), route.defaultMaxTokens(), context));
      try {
        learner.reward(chosen, x, rewards[arm], false).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
      if (step % checkpoint == 0 || step == order.size()) {
        double bestFixed = 0;
        for (double f : fixed) {
          bestFixed = Math.max(bestFixed, f);
        }
        curve.add(
            String.format(
                Locale.ROOT,
                "after %d: mean reward %.4f, regret per prompt vs oracle %.4f, vs best fixed model"
                    + " %.4f",
                step,
                earned / step,
                (oracle - earned) / step,
                (bestFixed - earned) / step));
      }
    }
    learner.close();
    return new Result(learner, curve);
  }

  /** A learner that knows nothing yet and applies each reward at once, on the caller's thread. */
  static BanditLearner untrained(RouteSpec route, LearnedArtifact artifact) {
    return new BanditLearner(
        route.models(),
        BanditLearner.dimensions(artifact),
        java.util.Optional.empty(),
        Runnable::run);
  }

  private static double[] rewards(
      EvalPrompt prompt, List<Candidate> candidates, BanditSpec spec, double low, double range) {
    double dearest = 0;
    double mostJoules = 0;
    for (Candidate c : candidates) {
      dearest = Math.max(dearest, prompt.cost(c.model()));
      mostJoules = Math.max(mostJoules, c.joulesPerToken());
    }
    double[] rewards = new double[candidates.size()];
    for (int i = 0; i < rewards.length; i++) {
      Candidate c = candidates.get(i);
      double quality =
          range > 0 ? (prompt.quality(c.model()) - low) / range : prompt.quality(c.model());
      rewards[i] =
          BanditPolicy.reward(
              spec, quality, prompt.cost(c.model()), dearest, c.joulesPerToken(), mostJoules);
    }
    return rewards;
  }

  private static <T> void shuffle(List<T> list, SplittableRandom random) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}
