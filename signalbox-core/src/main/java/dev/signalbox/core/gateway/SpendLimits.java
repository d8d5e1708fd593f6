package dev.signalbox.core.gateway;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.LimitSettings;
import dev.signalbox.core.dispatch.Exchange;
import dev.signalbox.core.limits.BudgetAlert;
import dev.signalbox.core.limits.Charge;
import dev.signalbox.core.limits.LimitRefusal;
import dev.signalbox.core.limits.LimitState;
import dev.signalbox.core.limits.Scope;
import dev.signalbox.core.limits.SpendLedger;
import dev.signalbox.core.routing.PlannedAttempt;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The gateway's side of limits: which scopes a request counts against, its worst case reserved
 * before it goes out (its prompt and maximum output at the dearest price of any model its plan may
 * use), and its real use settled when its trace is written. Both steps are in the trace as flags. A
 * settled request that reserved on any scope is appended to the spend ledger, with its scopes.
 */
final class SpendLimits {
  private static final Logger LOG = Logger.getLogger(SpendLimits.class.getName());

  private final LimitState state;
  private final SpendLedger ledger;
  private final TimeSource time;
  private final Consumer<BudgetAlert> alerts;

  /** The scopes each request under way reserved on, until it is settled. */
  private final Map<String, List<String>> reservedScopes = new ConcurrentHashMap<>();

  SpendLimits(LimitState state, SpendLedger ledger, TimeSource time, Consumer<BudgetAlert> alerts) {
    this.state = state;
    this.ledger = ledger;
    this.time = time;
    this.alerts = alerts;
  }

  LimitState state() {
    return state;
  }

  SpendLedger ledger() {
    return ledger;
  }

  /** The caller's scopes, and the end user's own when the config limits each user. */
  static List<Scope.Bound> bounds(Caller caller, ChatRequest request, LimitSettings limits) {
    if (limits.perUser().isEmpty() || request.user().isEmpty()) {
      return caller.bounds();
    }
    List<Scope.Bound> bounds = new ArrayList<>(caller.bounds());
    bounds.add(new Scope(Scope.Kind.USER, request.user()).bound(limits.perUser().get()));
    return bounds;
  }

  /**
   * Reserves the request's worst case on every scope at once; the rate-limit headers to send.
   *
   * @throws LimitRefusal naming the scope that refused; nothing is reserved then
   */
  Map<String, String> admit(
      Exchange exchange, List<Scope.Bound> bounds, List<PlannedAttempt> plan) {
    long prompt = exchange.signals().promptTokens();
    long output = exchange.signals().maxOutputTokens();
    Usage worst = new Usage(prompt, 0, output, false);
    double usd =
        plan.stream().mapToDouble(attempt -> attempt.model().pricing().cost(worst)).max().orElse(0);
    Charge charge = new Charge(prompt + output, Charge.micros(usd));
    String scopes = String.join(",", bounds.stream().map(b -> b.scope().id()).toList());
    try {
      LimitState.Admitted admitted = state.reserve(exchange.id(), bounds, charge, time.now());
      if (ledger.present()) {
        reservedScopes.put(exchange.id(), bounds.stream().map(b -> b.scope().id()).toList());
      }
      if (!admitted.checked()) {
        exchange.flag("limits:unchecked " + scopes + " state store unreachable, failing open");
        return admitted.headers();
      }
      exchange.flag(
          String.format(
              Locale.ROOT,
              "limits:reserved %s %d tokens $%.6f",
              scopes,
              charge.tokens(),
              charge.microUsd() / 1e6));
      return admitted.headers();
    } catch (LimitRefusal refusal) {
      exchange.flag("limits:refused " + refusal.scope().id() + " " + refusal.code().orElse(""));
      throw refusal;
    }
  }

  /** Settles a finished request's reservation to what it used; idempotent. */
  void settle(DecisionTrace trace) {
    Charge used = new Charge(trace.usage().totalTokens(), Charge.micros(trace.costUsd()));
    List<String> scopes = reservedScopes.remove(trace.id());
    if (scopes != null) {
      ledger.record(new SpendLedger.Entry(trace.id(), trace.time(), scopes, used));
    }
    for (BudgetAlert alert : state.settle(trace.id(), used, time.now())) {
      LOG.warning(
          String.format(
              Locale.ROOT,
              "budget alert: %s has spent $%.6f of its $%.6f budget; the period ends %s",
              alert.scope().id(),
              alert.spentUsd(),
              alert.budgetUsd(),
              alert.resetsAt()));
      alerts.accept(alert);
    }
  }
}
