package dev.signalbox.core.dispatch;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How long to wait before trying a deployment that was already tried: exponential with full jitter
 * (AWS's "exponential backoff and jitter"), never less than what the upstream's Retry-After asked.
 * A Retry-After longer than {@code maxRetryAfter} is not waited for: the deployment is not retried.
 */
public record Backoff(Duration initial, Duration max, Duration maxRetryAfter) {
  public static final Backoff DEFAULT =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(5));

  /** Whether the upstream asked for a longer wait than this gateway holds a request for. */
  public boolean tooLong(Optional<Duration> retryAfter) {
    return retryAfter.isPresent() && retryAfter.get().compareTo(maxRetryAfter) > 0;
  }

  /**
   * The wait before a retry of a deployment.
   *
   * @param retry 1 for the first retry of a deployment, 2 for the second ...
   */
  public Duration delay(int retry, Optional<Duration> retryAfter, RandomGenerator random) {
    long ceiling =
        Math.min(max.toNanos(), initial.toNanos() << Math.min(20, Math.max(0, retry - 1)));
    Duration jittered = Duration.ofNanos((long) (random.nextDouble() * ceiling));
    return retryAfter.filter(r -> r.compareTo(jittered) > 0).orElse(jittered);
  }
}
