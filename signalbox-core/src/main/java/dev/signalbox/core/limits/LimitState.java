package dev.signalbox.core.limits;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The shared state of every scope's limits. A reservation is all or nothing across the scopes of a
 * request, and is a lease: one not settled within its time to live is freed. Settling is idempotent
 * per request id.
 */
public interface LimitState {
  /**
   * Admitted, with the rate-limit headers of the request's tightest scopes; {@code checked} false
   * when the state store could not be reached and every scope fails open.
   */
  record Admitted(Map<String, String> headers, boolean checked) {
    public Admitted {
      headers = Map.copyOf(headers);
    }
  }

  /**
   * Reserves {@code charge} and one request on every bound at once.
   *
   * @throws LimitRefusal naming the first scope that cannot take it; nothing is reserved then
   */
  Admitted reserve(String requestId, List<Scope.Bound> bounds, Charge charge, Instant now);

  /**
   * Replaces the request's reservation by what it used; an alert for each scope whose soft budget
   * threshold this spend crossed. A request settled before, or never reserved, changes nothing. A
   * shared store settles without holding up the caller: the stage completes when it has.
   */
  CompletionStage<List<BudgetAlert>> settle(String requestId, Charge used, Instant now);

  /** A scope's state, as its limits stand now. */
  ScopeUsage usage(Scope.Bound bound, Instant now);
}
