package dev.signalbox.core.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Hedging before the first byte: when the first attempt has not answered (or sent its first chunk)
 * within {@code after}, the same request goes to the plan's next deployment too, and the first to
 * answer wins; the other is cancelled.
 *
 * @param after the wait before hedging, or {@code p95}: the first deployment's measured p95 time to
 *     first token (no hedge while it is unmeasured)
 * @param maxShare the most hedged requests may be of the route's requests
 */
public record HedgeSpec(
    @Default("p95") String after, @Default("0.1") @Range(min = 0, max = 1) double maxShare) {
  public static final double DEFAULT_MAX_SHARE = 0.1;
  private static final String P95 = "p95";

  public HedgeSpec {
    if (!after.equals(P95)) {
      try {
        Durations.parse(after);
      } catch (IllegalArgumentException e) {
        throw new ConfigProblem("after", "expected p95 or a duration; " + e.getMessage());
      }
    }
  }

  /** The wait before hedging; empty for the measured p95. */
  public Optional<Duration> waitTime() {
    return after.equals(P95) ? Optional.empty() : Optional.of(Durations.parse(after));
  }
}
