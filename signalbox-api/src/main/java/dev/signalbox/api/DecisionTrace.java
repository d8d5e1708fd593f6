package dev.signalbox.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything recorded of one request: enough to replay its decision (signals read, candidates,
 * seed, pool state, policy and config hash) and to account for it (attempts, usage, cost, outcome).
 *
 * @param routes the route named by the request, then each route a rule delegated to
 * @param outcome ok, client_error, no_eligible_model, upstream_failed, upstream_timeout,
 *     stream_broken, client_cancelled, internal_error
 * @param usage the tokens of the answer served
 * @param costUsd what every call the request made cost: the answer served, and a cascade's answers
 *     that its checks turned down
 * @param prompt the conversation, only when the config records prompts; "" otherwise
 * @param answer the answer text, only when the config records answers; "" otherwise
 * @param cascade the stages of a cascade route, in order; empty for every other policy
 * @param key the name of the key that sent the request, or "" (a keyless gateway)
 * @param team that key's team, or ""
 */
public record DecisionTrace(
    String id,
    Instant time,
    String tenant,
    String requestedModel,
    List<String> routes,
    String policy,
    int policyVersion,
    String configHash,
    long seed,
    Map<String, Object> signals,
    List<CandidateTrace> candidates,
    List<PlanStep> plan,
    double propensity,
    PoolSnapshot pool,
    List<AttemptTrace> attempts,
    Usage usage,
    double costUsd,
    boolean stream,
    String outcome,
    String error,
    List<String> flags,
    String prompt,
    String answer,
    List<CascadeStepTrace> cascade,
    String key,
    String team) {

  /** Bumped whenever a field changes meaning or is removed. */
  public static final int SCHEMA_VERSION = 1;

  public DecisionTrace {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(requestedModel, "requestedModel");
    routes = List.copyOf(routes);
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(configHash, "configHash");
    signals = Map.copyOf(signals);
    candidates = List.copyOf(candidates);
    plan = List.copyOf(plan);
    Objects.requireNonNull(pool, "pool");
    attempts = List.copyOf(attempts);
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(error, "error");
    flags = List.copyOf(flags);
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(answer, "answer");
    cascade = List.copyOf(cascade);
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(team, "team");
  }

  /** A trace with no key named (a keyless gateway, or a trace from before keys were recorded). */
  public DecisionTrace(
      String id,
      Instant time,
      String tenant,
      String requestedModel,
      List<String> routes,
      String policy,
      int policyVersion,
      String configHash,
      long seed,
      Map<String, Object> signals,
      List<CandidateTrace> candidates,
      List<PlanStep> plan,
      double propensity,
      PoolSnapshot pool,
      List<AttemptTrace> attempts,
      Usage usage,
      double costUsd,
      boolean stream,
      String outcome,
      String error,
      List<String> flags,
      String prompt,
      String answer,
      List<CascadeStepTrace> cascade) {
    this(
        id,
        time,
        tenant,
        requestedModel,
        routes,
        policy,
        policyVersion,
        configHash,
        seed,
        signals,
        candidates,
        plan,
        propensity,
        pool,
        attempts,
        usage,
        costUsd,
        stream,
        outcome,
        error,
        flags,
        prompt,
        answer,
        cascade,
        "",
        "");
  }

  /** A trace of a request no cascade served. */
  public DecisionTrace(
      String id,
      Instant time,
      String tenant,
      String requestedModel,
      List<String> routes,
      String policy,
      int policyVersion,
      String configHash,
      long seed,
      Map<String, Object> signals,
      List<CandidateTrace> candidates,
      List<PlanStep> plan,
      double propensity,
      PoolSnapshot pool,
      List<AttemptTrace> attempts,
      Usage usage,
      double costUsd,
      boolean stream,
      String outcome,
      String error,
      List<String> flags,
      String prompt,
      String answer) {
    this(
        id,
        time,
        tenant,
        requestedModel,
        routes,
        policy,
        policyVersion,
        configHash,
        seed,
        signals,
        candidates,
        plan,
        propensity,
        pool,
        attempts,
        usage,
        costUsd,
        stream,
        outcome,
        error,
        flags,
        prompt,
        answer,
        List.of());
  }

  /** The route that finally decided: the last one a rule delegated to, or the one requested. */
  public String route() {
    return routes.isEmpty() ? "" : routes.get(routes.size() - 1);
  }
}
