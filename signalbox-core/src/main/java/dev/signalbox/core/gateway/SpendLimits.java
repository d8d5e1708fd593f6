package dev.signalbox.core.gateway;

import dev.signalbox.api.ChatRequest;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.Pricing;
import dev.signalbox.api.TimeSource;
import dev.signalbox.api.Usage;
import dev.signalbox.core.config.LimitSettings;
import dev.signalbox.core.dispatch.Exchange;
import dev.signalbox.core.limits.BudgetAlert;
import dev.signalbox.core.limits.Charge;
import dev.signalbox.core.limits.LimitRefusal;
import dev.signalbox.core.limits.LimitState;
import dev.signalbox.core.limits.LimitSubjects;
import dev.signalbox.core.limits.Scope;
import dev.signalbox.core.limits.ScopeUsage;
import dev.signalbox.core.limits.SpendLedger;
import dev.signalbox.core.routing.PlannedAttempt;
import dev.signalbox.core.routing.RoutingSignals;
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

  /**
   * The scopes each request under way reserved on, until it is settled: a request that reserved
   * nothing is settled without a word to the state (a round trip, with Redis).
   */
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

  /** The header that names a request's tags, comma-separated; else {@code metadata.tags}. */
  static final String TAGS_HEADER = "x-signalbox-tags";

  /** Whom the request speaks for: its end user, session and tags (header, else metadata). */
  static LimitSubjects subjects(Caller caller, ChatRequest request) {
    Map<String, String> headers = caller.headers();
    return LimitSubjects.of(
        request.user(),
        headers.getOrDefault(
            RoutingSignals.SESSION_HEADER, request.metadata().getOrDefault("session_id", "")),
        headers.getOrDefault(TAGS_HEADER, request.metadata().getOrDefault("tags", "")));
  }

  /**
   * The caller's scopes; the end user's and the session's own when the config limits each one; and
   * each of the request's tags that the config limits.
   */
  static List<Scope.Bound> bounds(Caller caller, LimitSubjects subjects, LimitSettings limits) {
    return subjects.bounds(caller.bounds(), limits);
  }

  /**
   * Reserves the request's worst case on every scope at once; the rate-limit headers to send.
   *
   * @throws LimitRefusal naming the scope that refused; nothing is reserved then
   */
  Map<String, String> admit(
      Exchange exchange,
      List<Scope.Bound> bounds,
      List<PlannedAttempt> plan,
      LimitSettings settings) {
    long prompt = exchange.signals().promptTokens();
    long asked = exchange.signals().maxOutputTokens();
    Charge charge = worstCase(plan, prompt, asked);
    if (settings.shrinkToFit()) {
      long left = budgetLeft(bounds);
      if (left < charge.microUsd()) {
        long fits = outputWithin(plan, prompt, left);
        if (fits >= settings.shrinkMinOutputTokens() && fits < asked) {
          exchange.limitOutput(
              (int) fits,
              "limits:shrunk max_tokens " + asked + " to " + fits + " to fit the budget left");
          charge = worstCase(plan, prompt, fits);
        }
      }
    }
    List<String> scopeIds = bounds.stream().map(b -> b.scope().id()).toList();
    String scopes = String.join(",", scopeIds);
    try {
      LimitState.Admitted admitted = state.reserve(exchange.id(), bounds, charge, time.now());
      reservedScopes.put(exchange.id(), scopeIds);
      if (settings.cutStreams() && exchange.request().stream()) {
        exchange.capStreamedOutput(charge.tokens() - prompt);
      }
      if (!admitted.checked()) {
        exchange.flag("limits:unchecked " + scopes + " state store unreachable, failing open");
        return admitted.headers();
      }
      exchange.flag(
          "limits:reserved "
              + scopes
              + " "
              + charge.tokens()
              + " tokens $"
              + Charge.dollars(charge.microUsd()));
      return admitted.headers();
    } catch (LimitRefusal refusal) {
      exchange.flag("limits:refused " + refusal.scope().id() + " " + refusal.code().orElse(""));
      throw refusal;
    }
  }

  /**
   * The most a request may cost: its prompt and {@code asked} output tokens, each model capped at
   * its own maximum output, at the dearest model of the plan.
   */
  private static Charge worstCase(List<PlannedAttempt> plan, long prompt, long asked) {
    double usd = 0;
    long output = 0;
    for (PlannedAttempt attempt : plan) {
      long most = Math.min(asked, attempt.model().maxOutputTokens().orElse(Integer.MAX_VALUE));
      usd = Math.max(usd, attempt.model().pricing().cost(new Usage(prompt, 0, most, false)));
      output = Math.max(output, most);
    }
    return new Charge(prompt + output, Charge.micros(usd));
  }

  /** What the tightest budget of the request's scopes has left now, in micro-dollars. */
  private long budgetLeft(List<Scope.Bound> bounds) {
    long left = Long.MAX_VALUE;
    for (Scope.Bound bound : bounds) {
      if (bound.spec().budget().isPresent()) {
        ScopeUsage usage = state.usage(bound, time.now());
        long budget = Charge.micros(bound.spec().budget().get().usd());
        left = Math.min(left, budget - usage.spentMicros() - usage.reservedMicros());
      }
    }
    return left;
  }

  /**
   * The most output tokens whose worst case, at the dearest model of the plan, fits {@code left}.
   */
  private static long outputWithin(List<PlannedAttempt> plan, long prompt, long left) {
    long fits = Long.MAX_VALUE;
    for (PlannedAttempt attempt : plan) {
      Pricing prices = attempt.model().pricing().forPrompt(prompt);
      double perToken = prices.outputPerMillion();
      double room = left - prices.estimate(prompt, 0) * 1_000_000;
      if (room < 0) {
        return 0;
      }
      if (perToken > 0) {
        fits = Math.min(fits, (long) Math.floor(room / perToken));
      }
    }
    return fits;
  }

  /** Settles a finished request's reservation to what it used; idempotent. */
  void settle(DecisionTrace trace) {
    Charge used = new Charge(trace.usage().totalTokens(), Charge.micros(trace.costUsd()));
    List<String> scopes = reservedScopes.remove(trace.id());
    if (scopes == null) {
      return;
    }
    ledger.record(new SpendLedger.Entry(trace.id(), trace.time(), scopes, used));
    state.settle(trace.id(), used, time.now()).thenAccept(crossed -> crossed.forEach(this::alert));
  }

  private void alert(BudgetAlert alert) {
    LOG.warning(
        String.format(
            Locale.ROOT,
            "budget alert: %s has spent $%.6f of its $%.6f budget; spend first leaves it at %s",
            alert.scope().id(),
            alert.spentUsd(),
            alert.budgetUsd(),
            alert.resetsAt()));
    alerts.accept(alert);
  }
}
