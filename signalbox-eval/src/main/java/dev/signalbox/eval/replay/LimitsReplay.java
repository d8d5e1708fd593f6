package dev.signalbox.eval.replay;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.GatewayKey;
import dev.signalbox.core.config.LimitSettings;
import dev.signalbox.core.config.LimitSpec;
import dev.signalbox.core.limits.Charge;
import dev.signalbox.core.limits.InMemoryLimitState;
import dev.signalbox.core.limits.LimitRefusal;
import dev.signalbox.core.limits.LimitSubjects;
import dev.signalbox.core.limits.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * A config's limits run over recorded requests in the order they came, on their own clock: each
 * request is reserved at its time on the scopes it would count against under that config (its
 * key's, team's and tenant's, its end user's, session's and tags', as the config sets them) for
 * what it cost, and settled when it ended, so that rates, requests at once and budgets bind as they
 * would have. What it refuses is counted by scope: the replay's answer to "when would this budget
 * have run out?".
 */
final class LimitsReplay {
  private record Running(String id, Instant ends, Charge used) {}

  private final GatewayConfig config;
  private final InMemoryLimitState state = new InMemoryLimitState(Duration.ofDays(3650));
  private final PriorityQueue<Running> running =
      new PriorityQueue<>((a, b) -> a.ends().compareTo(b.ends()));
  private final Map<String, CounterfactualReport.Limited> refused = new TreeMap<>();

  LimitsReplay(GatewayConfig config) {
    this.config = config;
  }

  /** Whether the config's limits admit the request at its time; counted by scope where not. */
  boolean admit(DecisionTrace trace, double costUsd) {
    settleUntil(trace.time());
    List<Scope.Bound> bounds = bounds(trace);
    if (bounds.isEmpty()) {
      return true;
    }
    Charge used = new Charge(trace.usage().totalTokens(), Charge.micros(costUsd));
    try {
      state.reserve(trace.id(), bounds, used, trace.time());
    } catch (LimitRefusal refusal) {
      refused.merge(
          refusal.scope().id(),
          new CounterfactualReport.Limited(
              1, refusal.code().orElse(""), trace.time(), trace.costUsd()),
          (was, one) ->
              new CounterfactualReport.Limited(
                  was.requests() + 1,
                  was.code(),
                  was.first(),
                  was.recordedCostUsd() + one.recordedCostUsd()));
      return false;
    }
    double millis = trace.attempts().stream().mapToDouble(AttemptTrace::durationMillis).sum();
    running.add(new Running(trace.id(), trace.time().plusNanos((long) (millis * 1_000_000)), used));
    return true;
  }

  /** The refusals by scope, in scope order. */
  Map<String, CounterfactualReport.Limited> refused() {
    return Collections.unmodifiableMap(new TreeMap<>(refused));
  }

  private void settleUntil(Instant now) {
    while (!running.isEmpty() && !running.peek().ends().isAfter(now)) {
      Running ended = running.poll();
      state.settle(ended.id(), ended.used(), ended.ends());
    }
  }

  /**
   * The scopes a request counts against under the config: its key's, team's and tenant's, and its
   * end user's, session's and tags' as the trace recorded them (the user and the session by
   * digest).
   */
  private List<Scope.Bound> bounds(DecisionTrace trace) {
    LimitSettings limits = config.limits();
    List<Scope.Bound> bounds = new ArrayList<>();
    config.auth().keys().stream()
        .filter(key -> key.name().equals(trace.key()))
        .findFirst()
        .flatMap(GatewayKey::limits)
        .filter(LimitSpec::limitsAnything)
        .ifPresent(spec -> bounds.add(new Scope(Scope.Kind.KEY, trace.key()).bound(spec)));
    Optional.ofNullable(limits.teams().get(trace.team()))
        .ifPresent(spec -> bounds.add(new Scope(Scope.Kind.TEAM, trace.team()).bound(spec)));
    Optional.ofNullable(limits.tenants().get(trace.tenant()))
        .ifPresent(spec -> bounds.add(new Scope(Scope.Kind.TENANT, trace.tenant()).bound(spec)));
    return LimitSubjects.recorded(trace.flags()).bounds(bounds, limits);
  }
}
