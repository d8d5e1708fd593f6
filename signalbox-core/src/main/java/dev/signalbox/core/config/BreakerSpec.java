package dev.signalbox.core.config;

import java.time.Duration;

/**
 * When a deployment's circuit opens and how it closes again.
 *
 * @param consecutiveFailures failures in a row that open it
 * @param errorRate the share of failed attempts within {@code window} that opens it, once there
 *     were at least {@code minRequests}
 * @param cooldown how long it stays open before probes may go through (half-open)
 * @param halfOpenProbes how many probes may be under way at once while half-open
 */
public record BreakerSpec(
    @Default("5") @Range(min = 1, max = 1_000_000) int consecutiveFailures,
    @Default("0.5") @Range(min = 0.01, max = 1) double errorRate,
    @Default("20") @Range(min = 1, max = 1_000_000) int minRequests,
    @Default("30s") Duration window,
    @Default("30s") Duration cooldown,
    @Default("1") @Range(min = 1, max = 1_000) int halfOpenProbes) {
  public static final BreakerSpec DEFAULT =
      new BreakerSpec(5, 0.5, 20, Duration.ofSeconds(30), Duration.ofSeconds(30), 1);
}
