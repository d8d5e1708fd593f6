package dev.signalbox.core.limits;

import dev.signalbox.core.config.LimitSpec;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A scope's state now: its limits, spend and reservations in the budget's period, requests under
 * way, when the budget resets, and its rate-limit headers (what remains and when it refills).
 */
public record ScopeUsage(
    Scope scope,
    LimitSpec spec,
    long spentMicros,
    long reservedMicros,
    int inFlight,
    Optional<Instant> budgetResets,
    Map<String, String> headers) {
  public ScopeUsage {
    headers = Map.copyOf(headers);
  }
}
