package dev.signalbox.server;

import dev.signalbox.api.TimeSource;
import dev.signalbox.core.pool.BreakerHistory;
import dev.signalbox.core.trace.TraceExplorer;
import java.util.Optional;

/**
 * What the admin API and the dashboard read besides the gateway.
 *
 * @param traces the trace store, read-only; empty when traces are off
 * @param breakers the latest breaker transitions
 * @param replay the counterfactual replay the dashboard runs on selected traces
 */
public record AdminSources(
    Optional<TraceExplorer> traces, BreakerHistory breakers, ReplayService replay) {
  public static AdminSources none(TimeSource time) {
    return new AdminSources(
        Optional.empty(), new BreakerHistory(time, 1), ReplayService.UNAVAILABLE);
  }
}
