package dev.signalbox.core.routing;

import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.core.config.SloSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Predicate;

/**
 * What a route does to its plan after the policy and selectors: latency objectives and self-healing
 * fallbacks.
 */
final class PlanAdjustments {
  /**
   * The least success probability self-healing assumes, so a failing deployment is demoted, not
   * divided by zero.
   */
  static final double MIN_SUCCESS = 0.05;

  private PlanAdjustments() {}

  /**
   * Keeps the deployments that meet the route's objectives, judged on the pool's measurements (an
   * unmeasured deployment meets them). When none meets both, the end-to-end limit is dropped; when
   * none meets the first-token limit either, the plan is kept whole. The outcome is noted in the
   * trace.
   */
  static List<PlannedAttempt> meetObjectives(
      List<PlannedAttempt> plan, SloSpec slo, PoolSnapshot pool, RoutingSignals signals) {
    if (slo.isNone() || plan.isEmpty()) {
      return plan;
    }
    DeploymentSelector.Request request =
        new DeploymentSelector.Request(signals.promptTokensAtMost(), signals.maxOutputTokens());
    Predicate<PlannedAttempt> ttft =
        a -> within(firstToken(pool.state(a.deployment().name())), slo.maxTtftMillis());
    Predicate<PlannedAttempt> endToEnd =
        a -> {
          DeploymentState s = pool.state(a.deployment().name());
          return Double.isNaN(s.ttftMillis())
              || within(
                  DeploymentSelector.predictedMillis(s, request, pool), slo.maxEndToEndMillis());
        };
    List<PlannedAttempt> both = plan.stream().filter(ttft.and(endToEnd)).toList();
    if (!both.isEmpty()) {
      signals.note(
          RoutingSignals.SLO,
          both.size() + " of " + plan.size() + " plan entries meet the objectives");
      return both;
    }
    List<PlannedAttempt> firstToken = plan.stream().filter(ttft).toList();
    if (!firstToken.isEmpty()) {
      signals.note(
          RoutingSignals.SLO,
          "relaxed: none meets max-end-to-end; "
              + firstToken.size()
              + " of "
              + plan.size()
              + " meet max-ttft");
      return firstToken;
    }
    signals.note(
        RoutingSignals.SLO, "relaxed: no plan entry meets max-ttft; the whole plan is kept");
    return plan;
  }

  private static double firstToken(DeploymentState s) {
    return Double.isNaN(s.p95TtftMillis()) ? s.ttftMillis() : s.p95TtftMillis();
  }

  private static boolean within(double value, OptionalDouble limit) {
    return limit.isEmpty() || Double.isNaN(value) || value <= limit.getAsDouble();
  }

  /**
   * The first entry stays (the policy's choice); the rest are ordered by this request's estimated
   * price times (1 + its predicted seconds end to end), divided by the deployment's recent success
   * rate. A free model counts a nanodollar, so latency and reliability still order free ones.
   */
  static List<PlannedAttempt> selfHealing(
      List<PlannedAttempt> plan, PoolSnapshot pool, RoutingSignals signals) {
    if (plan.size() < 3) {
      return plan;
    }
    long prompt = signals.promptTokensAtMost();
    long output = signals.maxOutputTokens();
    DeploymentSelector.Request request = new DeploymentSelector.Request(prompt, output);
    Comparator<PlannedAttempt> byScore =
        Comparator.comparingDouble(
            a -> {
              DeploymentState s = pool.state(a.deployment().name());
              double price = Math.max(1e-9, a.model().pricing().estimate(prompt, output));
              double seconds = DeploymentSelector.predictedMillis(s, request, pool) / 1_000;
              double success = Math.max(MIN_SUCCESS, 1 - s.errorRate());
              return price * (1 + seconds) / success;
            });
    List<PlannedAttempt> rest = new ArrayList<>(plan.subList(1, plan.size()));
    rest.sort(byScore);
    List<PlannedAttempt> result = new ArrayList<>(plan.size());
    result.add(plan.get(0));
    result.addAll(rest);
    signals.note(
        RoutingSignals.FALLBACK_ORDER,
        "self-healing: "
            + String.join(
                ", ",
                rest.stream().map(a -> a.model().name() + "@" + a.deployment().name()).toList()));
    return result;
  }
}
