package dev.signalbox.core.config;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A route's latency objectives, applied to each deployment of its plan from the pool's
 * measurements. When no deployment meets both, the end-to-end limit is dropped first, then the
 * first-token one.
 *
 * @param maxTtft the longest acceptable time to first token (the deployment's p95, else its mean)
 * @param maxEndToEnd the longest acceptable predicted end to end for the request
 */
public record SloSpec(Optional<Duration> maxTtft, Optional<Duration> maxEndToEnd) {
  public static final SloSpec NONE = new SloSpec(Optional.empty(), Optional.empty());

  public boolean isNone() {
    return maxTtft.isEmpty() && maxEndToEnd.isEmpty();
  }

  public OptionalDouble maxTtftMillis() {
    return millis(maxTtft);
  }

  public OptionalDouble maxEndToEndMillis() {
    return millis(maxEndToEnd);
  }

  private static OptionalDouble millis(Optional<Duration> duration) {
    return duration.map(d -> OptionalDouble.of(d.toNanos() / 1e6)).orElse(OptionalDouble.empty());
  }
}
