package dev.signalbox.core.trace;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.CandidateTrace;
import dev.signalbox.api.CascadeStepTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.Usage;
import dev.signalbox.core.wire.Truncated;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A trace as the store keeps it: the canonical JSON's fields in their fixed order (snake_case),
 * maps sorted by key, NaN written as null, times in milliseconds rounded to the microsecond. One
 * record both writes and reads the format, so writer and reader cannot drift apart; a field an
 * older trace lacks reads as empty or zero.
 */
@JsonPropertyOrder({
  "schema_version",
  "id",
  "time",
  "tenant",
  "requested_model",
  "routes",
  "policy",
  "policy_version",
  "config_hash",
  "seed",
  "signals",
  "candidates",
  "plan",
  "propensity",
  "pool",
  "attempts",
  "usage",
  "cost_usd",
  "stream",
  "outcome",
  "error",
  "flags",
  "cascade",
  "prompt",
  "answer"
})
record StoredTrace(
    int schemaVersion,
    String id,
    String time,
    String tenant,
    String requestedModel,
    List<String> routes,
    String policy,
    int policyVersion,
    String configHash,
    long seed,
    SortedMap<String, Object> signals,
    List<Candidate> candidates,
    List<PlanStep> plan,
    double propensity,
    SortedMap<String, Deployment> pool,
    List<Attempt> attempts,
    Tokens usage,
    double costUsd,
    boolean stream,
    String outcome,
    String error,
    List<String> flags,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @Nullable List<CascadeStep> cascade,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @Nullable String prompt,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @Nullable String answer,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @Nullable String key,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @Nullable String team) {

  /** The fields of the decision log, the part replay compares byte for byte. */
  @JsonPropertyOrder({
    "id",
    "requested_model",
    "routes",
    "policy",
    "policy_version",
    "config_hash",
    "seed",
    "signals",
    "candidates",
    "plan",
    "propensity",
    "pool"
  })
  record Decision(
      String id,
      String requestedModel,
      List<String> routes,
      String policy,
      int policyVersion,
      String configHash,
      long seed,
      SortedMap<String, Object> signals,
      List<Candidate> candidates,
      List<PlanStep> plan,
      double propensity,
      SortedMap<String, Deployment> pool) {}

  @JsonPropertyOrder({"model", "excluded", "score", "reason"})
  record Candidate(String model, String excluded, @Nullable Double score, String reason) {
    static Candidate of(CandidateTrace c) {
      return new Candidate(c.model(), c.excluded(), finite(c.score()), c.reason());
    }

    CandidateTrace trace() {
      return new CandidateTrace(model, orEmpty(excluded), nan(score), orEmpty(reason));
    }
  }

  @JsonPropertyOrder({
    "index",
    "model",
    "deployment",
    "result",
    "ttft_ms",
    "duration_ms",
    "committed",
    "error"
  })
  record Attempt(
      int index,
      String model,
      String deployment,
      String result,
      @Nullable Double ttftMs,
      double durationMs,
      boolean committed,
      String error) {
    static Attempt of(AttemptTrace a) {
      return new Attempt(
          a.index(),
          a.model(),
          a.deployment(),
          a.result(),
          a.ttftMillis() < 0 ? null : finite(thousandths(a.ttftMillis())),
          thousandths(a.durationMillis()),
          a.committed(),
          a.error());
    }

    AttemptTrace trace() {
      return new AttemptTrace(
          index,
          orEmpty(model),
          orEmpty(deployment),
          orEmpty(result),
          ttftMs == null ? -1 : ttftMs,
          durationMs,
          committed,
          orEmpty(error));
    }
  }

  @JsonPropertyOrder({"prompt_tokens", "cached_prompt_tokens", "completion_tokens", "estimated"})
  record Tokens(
      long promptTokens, long cachedPromptTokens, long completionTokens, boolean estimated) {
    static Tokens of(Usage u) {
      return new Tokens(
          u.promptTokens(), u.cachedPromptTokens(), u.completionTokens(), u.estimated());
    }

    Usage usage() {
      return new Usage(promptTokens, cachedPromptTokens, completionTokens, estimated);
    }
  }

  @JsonPropertyOrder({
    "stage",
    "model",
    "samples",
    "answered",
    "verdict",
    "checks",
    "usage",
    "cost_usd"
  })
  record CascadeStep(
      int stage,
      String model,
      int samples,
      int answered,
      String verdict,
      List<String> checks,
      Tokens usage,
      double costUsd) {
    static CascadeStep of(CascadeStepTrace c) {
      return new CascadeStep(
          c.stage(),
          c.model(),
          c.samples(),
          c.answered(),
          c.verdict(),
          c.checks(),
          Tokens.of(c.usage()),
          c.costUsd());
    }

    CascadeStepTrace trace() {
      return new CascadeStepTrace(
          stage,
          orEmpty(model),
          samples,
          answered,
          orEmpty(verdict),
          checks == null ? List.of() : checks,
          usage == null ? Usage.ZERO : usage.usage(),
          costUsd);
    }
  }

  /** A deployment's state in the pool snapshot; what {@code GET /admin/pool} shows too. */
  @JsonPropertyOrder({
    "in_flight",
    "queued_prompt_tokens",
    "queued_output_tokens",
    "consecutive_failures",
    "error_rate",
    "rate_limited",
    "ttft_ms",
    "p95_ttft_ms",
    "ms_per_token",
    "breaker",
    "assigned"
  })
  record Deployment(
      long inFlight,
      long queuedPromptTokens,
      long queuedOutputTokens,
      long consecutiveFailures,
      @Nullable Double errorRate,
      long rateLimited,
      @Nullable Double ttftMs,
      @Nullable Double p95TtftMs,
      @Nullable Double msPerToken,
      @Nullable String breaker,
      long assigned) {
    static Deployment of(DeploymentState d) {
      return new Deployment(
          d.inFlight(),
          d.queuedPromptTokens(),
          d.queuedOutputTokens(),
          d.consecutiveFailures(),
          finite(thousandths(d.errorRate())),
          d.rateLimited(),
          finite(thousandths(d.ttftMillis())),
          finite(thousandths(d.p95TtftMillis())),
          finite(thousandths(d.millisPerToken())),
          d.breaker(),
          d.assigned());
    }

    /** A recorded state; fields older traces lack read as idle. */
    DeploymentState state() {
      return new DeploymentState(
          inFlight,
          queuedPromptTokens,
          queuedOutputTokens,
          consecutiveFailures,
          errorRate == null ? 0 : errorRate,
          rateLimited,
          nan(ttftMs),
          nan(p95TtftMs),
          nan(msPerToken),
          breaker == null ? DeploymentState.CLOSED : breaker,
          assigned);
    }
  }

  static StoredTrace of(DecisionTrace t) {
    return new StoredTrace(
        DecisionTrace.SCHEMA_VERSION,
        t.id(),
        t.time().toString(),
        t.tenant(),
        // A client may name any model; the trace keeps what identifies it, not a megabyte.
        Truncated.of(t.requestedModel()),
        t.routes(),
        t.policy(),
        t.policyVersion(),
        t.configHash(),
        t.seed(),
        new TreeMap<>(t.signals()),
        t.candidates().stream().map(Candidate::of).toList(),
        t.plan(),
        t.propensity(),
        pool(t.pool()),
        t.attempts().stream().map(Attempt::of).toList(),
        Tokens.of(t.usage()),
        t.costUsd(),
        t.stream(),
        t.outcome(),
        t.error(),
        t.flags(),
        t.cascade().stream().map(CascadeStep::of).toList(),
        t.prompt(),
        t.answer(),
        t.key(),
        t.team());
  }

  Decision decision() {
    return new Decision(
        id,
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
        pool);
  }

  DecisionTrace trace() {
    Map<String, Object> read = new LinkedHashMap<>();
    if (signals != null) {
      read.putAll(signals);
    }
    Map<String, DeploymentState> states = new LinkedHashMap<>();
    if (pool != null) {
      pool.forEach((name, d) -> states.put(name, d.state()));
    }
    return new DecisionTrace(
        orEmpty(id),
        Instant.parse(time),
        orEmpty(tenant),
        orEmpty(requestedModel),
        list(routes),
        orEmpty(policy),
        policyVersion,
        orEmpty(configHash),
        seed,
        read,
        list(candidates).stream().map(Candidate::trace).toList(),
        list(plan),
        propensity,
        new PoolSnapshot(states),
        list(attempts).stream().map(Attempt::trace).toList(),
        usage == null ? Usage.ZERO : usage.usage(),
        costUsd,
        stream,
        orEmpty(outcome),
        orEmpty(error),
        list(flags),
        orEmpty(prompt),
        orEmpty(answer),
        list(cascade).stream().map(CascadeStep::trace).toList(),
        orEmpty(key),
        orEmpty(team));
  }

  static SortedMap<String, Deployment> pool(PoolSnapshot snapshot) {
    SortedMap<String, Deployment> pool = new TreeMap<>();
    snapshot.deployments().forEach((name, state) -> pool.put(name, Deployment.of(state)));
    return pool;
  }

  private static <T> List<T> list(@Nullable List<T> values) {
    return values == null ? List.of() : values;
  }

  private static String orEmpty(@Nullable String text) {
    return text == null ? "" : text;
  }

  private static @Nullable Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  private static double nan(@Nullable Double value) {
    return value == null ? Double.NaN : value;
  }

  private static double thousandths(double millis) {
    return Double.isFinite(millis) ? Math.round(millis * 1000) / 1000.0 : millis;
  }
}
