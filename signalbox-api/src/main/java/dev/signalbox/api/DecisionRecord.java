package dev.signalbox.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the router decided and read, as it goes into the trace.
 *
 * @param probabilities the policy's probability of picking each candidate first; not traced, since
 *     replaying the decision gives it back
 */
public record DecisionRecord(
    List<String> routes,
    String policy,
    int policyVersion,
    long seed,
    Map<String, Object> signals,
    List<CandidateTrace> candidates,
    List<PlanStep> plan,
    double propensity,
    Map<String, Double> probabilities,
    PoolSnapshot pool) {
  public DecisionRecord {
    routes = List.copyOf(routes);
    signals = Collections.unmodifiableMap(new LinkedHashMap<>(signals));
    candidates = List.copyOf(candidates);
    plan = List.copyOf(plan);
    probabilities = Map.copyOf(probabilities);
  }
}
