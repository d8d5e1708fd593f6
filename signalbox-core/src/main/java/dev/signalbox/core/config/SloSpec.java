package dev.signalbox.core.config;

import java.util.OptionalDouble;

/**
 * A route's latency objectives, applied to each deployment of its plan from the pool's
 * measurements. When no deployment meets both, the end-to-end limit is dropped first, then the
 * first-token one.
 *
 * @param maxTtftMillis the longest acceptable time to first token (the deployment's p95, else its
 *     mean)
 * @param maxEndToEndMillis the longest acceptable predicted end to end for the request
 */
public record SloSpec(OptionalDouble maxTtftMillis, OptionalDouble maxEndToEndMillis) {
  public static final SloSpec NONE = new SloSpec(OptionalDouble.empty(), OptionalDouble.empty());

  public boolean isNone() {
    return maxTtftMillis.isEmpty() && maxEndToEndMillis.isEmpty();
  }
}
