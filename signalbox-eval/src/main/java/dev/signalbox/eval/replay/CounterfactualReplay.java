package dev.signalbox.eval.replay;

import dev.signalbox.api.DecisionRecord;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.ModelSpec;
import dev.signalbox.core.config.RouteSpec;
import dev.signalbox.core.policy.PolicyRegistry;
import dev.signalbox.core.policy.PolicyServices;
import dev.signalbox.core.routing.Decision;
import dev.signalbox.core.routing.RecordedSignals;
import dev.signalbox.core.routing.Router;
import dev.signalbox.core.trace.TraceStore;
import dev.signalbox.eval.metrics.Bootstrap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Runs another config's routing over recorded requests. Where its first choice is the recorded one,
 * the outcome is known; elsewhere the mean feedback it would have earned is estimated off-policy
 * (IPS, SNIPS, doubly robust) from the recorded propensities, with the recorded config replayed to
 * learn the logging policy's probability of every candidate. Beside that, what the recording says
 * of cost, fallbacks and latency under the new plans (see {@link PlanOutcome}), and what the new
 * config's limits would have refused (see {@link LimitsReplay}).
 */
public final class CounterfactualReplay {
  private static final int NEIGHBOURS = 10;
  private static final int FOLDS = 5;

  private final RecordedTraffic traffic;
  private final RecordedConfigs recordedConfigs;
  private final PolicyRegistry registry;
  private final PolicyServices services;
  private final long sloMillis;
  private final long seed;

  public CounterfactualReplay(
      TraceStore store,
      RecordedTraffic traffic,
      PolicyRegistry registry,
      PolicyServices services,
      long sloMillis,
      long seed) {
    this.traffic = traffic;
    this.recordedConfigs = new RecordedConfigs(store, registry, services);
    this.registry = registry;
    this.services = services;
    this.sloMillis = sloMillis;
    this.seed = seed;
  }

  public CounterfactualReport run(String name, GatewayConfig target) {
    Router router = new Router(target, registry, services);
    LimitsReplay limits = new LimitsReplay(target);
    Map<String, Integer> skipped = new TreeMap<>();
    Map<String, Integer> transitions = new TreeMap<>();
    List<PlanOutcome> before = new ArrayList<>();
    List<PlanOutcome> after = new ArrayList<>();
    List<LoggedDecision> logged = new ArrayList<>();
    IdentityHashMap<LoggedDecision, String> targetChoice = new IdentityHashMap<>();
    int changed = 0;
    int priced = 0;
    int modelled = 0;
    double recordedCost = 0;
    double replayedCost = 0;
    double matchedReward = 0;
    int matched = 0;
    for (RecordedTraffic.Request request : traffic.requests()) {
      DecisionTrace t = request.trace();
      Decision decision;
      try {
        decision = router.decide(signals(request), t.seed(), t.pool());
      } catch (RecordedSignals.Unrecorded e) {
        skipped.merge("reads unrecorded " + e.signal(), 1, Integer::sum);
        continue;
      }
      if (!(decision instanceof Decision.Routed routed)) {
        skipped.merge(
            "refused: " + ((Decision.Rejected) decision).error().code().orElse("rejected"),
            1,
            Integer::sum);
        continue;
      }
      String chosen = routed.plan().get(0).model().name();
      if (!chosen.equals(request.loggedModel())) {
        changed++;
        transitions.merge(request.loggedModel() + " -> " + chosen, 1, Integer::sum);
      }
      PlanOutcome was = PlanOutcome.recorded(request);
      PlanOutcome would = PlanOutcome.of(routed.record().plan(), request, traffic);
      before.add(was);
      after.add(would);
      modelled += would.modelled() ? 1 : 0;
      double cost = t.costUsd();
      if (was.served().isPresent() && would.served().isPresent()) {
        priced++;
        recordedCost += t.costUsd();
        ModelSpec model = target.model(would.served().get()).orElseThrow();
        cost = model.pricing().cost(t.usage());
        replayedCost += cost;
      }
      limits.admit(t, cost);
      if (request.reward().isPresent()) {
        double reward = request.reward().getAsDouble();
        LoggedDecision d =
            new LoggedDecision(
                features(t),
                request.loggedModel(),
                t.propensity(),
                loggingProbabilities(request),
                reward);
        logged.add(d);
        targetChoice.put(d, chosen);
        if (chosen.equals(request.loggedModel())) {
          matched++;
          matchedReward += reward;
        }
      }
    }
    Optional<OffPolicyEstimator.Result> estimate = Optional.empty();
    String refusal = "";
    if (logged.isEmpty()) {
      refusal = "no feedback on the replayed requests";
    } else {
      try {
        estimate =
            Optional.of(
                new OffPolicyEstimator(NEIGHBOURS, FOLDS, seed)
                    .estimate(logged, targetChoice::get));
      } catch (IllegalArgumentException e) {
        refusal = e.getMessage();
      }
    }
    double recordedMean =
        logged.stream().mapToDouble(LoggedDecision::reward).average().orElse(Double.NaN);
    return new CounterfactualReport(
        name,
        traffic.requests().size() + traffic.notRouted(),
        before.size(),
        skipped,
        changed,
        transitions,
        priced,
        recordedCost,
        replayedCost,
        side(before),
        side(after),
        modelled,
        sloMillis,
        logged.size(),
        recordedMean,
        matched,
        matched == 0 ? Double.NaN : matchedReward / matched,
        estimate,
        refusal,
        limits.refused());
  }

  private RecordedSignals signals(RecordedTraffic.Request request) {
    DecisionTrace t = request.trace();
    OptionalLong reported =
        t.usage().promptTokens() > 0 && !t.usage().estimated()
            ? OptionalLong.of(t.usage().promptTokens())
            : OptionalLong.empty();
    return new RecordedSignals(
        t.requestedModel(),
        t.tenant(),
        t.signals(),
        request.prompt(),
        reported,
        RouteSpec.DEFAULT_MAX_TOKENS,
        services.signals());
  }

  /**
   * The recorded policy's probability of each candidate, from replaying it; empty when it cannot be
   * replayed.
   */
  private Map<String, Double> loggingProbabilities(RecordedTraffic.Request request) {
    DecisionTrace t = request.trace();
    try {
      DecisionRecord again =
          recordedConfigs
              .router(t.configHash())
              .decide(signals(request), t.seed(), t.pool())
              .record();
      return again.probabilities();
    } catch (ReplayException | RecordedSignals.Unrecorded e) {
      return Map.of();
    }
  }

  /** What the reward model compares requests by: their size in tokens, known before routing. */
  private static double[] features(DecisionTrace t) {
    return new double[] {Math.log1p((double) t.usage().promptTokens())};
  }

  private CounterfactualReport.Side side(List<PlanOutcome> outcomes) {
    int fallbacks = 0;
    int failures = 0;
    int misses = 0;
    double[] millis = new double[outcomes.size()];
    for (int i = 0; i < outcomes.size(); i++) {
      PlanOutcome o = outcomes.get(i);
      fallbacks += o.fallbacks();
      failures += o.served().isEmpty() ? 1 : 0;
      misses += o.millis() > sloMillis ? 1 : 0;
      millis[i] = o.millis();
    }
    Arrays.sort(millis);
    double p50 = millis.length == 0 ? Double.NaN : Bootstrap.percentile(millis, 50);
    double p95 = millis.length == 0 ? Double.NaN : Bootstrap.percentile(millis, 95);
    return new CounterfactualReport.Side(fallbacks, failures, misses, p50, p95);
  }
}
