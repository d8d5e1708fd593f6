package dev.signalbox.core.dispatch;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How long to wait before trying a deployment that was already tried: exponential with full jitter
 * (AWS's "exponential backoff and jitter"), never less than what the upstream's Retry-After asked.
 */
public record Backoff(Duration initial, Duration max) {
  public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));

  /**
   * @param retry 1 for the first retry of a deployment, 2 for the second ...
   */
  public Duration delay(int retry, Optional<Duration> retryAfter, RandomGenerator random) {
    long ceiling = Math.min(max.toNanos(), initial.toNanos() << Math.min(20, Math.max(0, retry - 1)));
    Duration jittered = Duration.ofNanos((long) (random.nextDouble() * ceiling));
    return retryAfter.filter(r -> r.compareTo(jittered) > 0).orElse(jittered);
  }
}
