package dev.signalbox.core.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Hedging before the first byte: when the first attempt has not answered (or sent its first chunk)
 * within {@code after}, the same request goes to the plan's next deployment too, and the first to
 * answer wins; the other is cancelled.
 *
 * @param after the wait before hedging; empty means the first deployment's measured p95 time to
 *     first token (no hedge while it is unmeasured)
 * @param maxShare the most hedged requests may be of the route's requests
 */
public record HedgeSpec(Optional<Duration> after, double maxShare) {
  public static final double DEFAULT_MAX_SHARE = 0.1;
}
