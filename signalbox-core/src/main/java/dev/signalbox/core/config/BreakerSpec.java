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
    int consecutiveFailures,
    double errorRate,
    int minRequests,
    Duration window,
    Duration cooldown,
    int halfOpenProbes) {
  public static final BreakerSpec DEFAULT =
      new BreakerSpec(5, 0.5, 20, Duration.ofSeconds(30), Duration.ofSeconds(30), 1);
}
