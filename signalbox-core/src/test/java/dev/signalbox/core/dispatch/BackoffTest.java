package dev.signalbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class BackoffTest {
  private final Backoff backoff =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(5));

  @Test
  void fullJitterStaysUnderAnExponentialCeilingCappedAtTheMaximum() {
    SplittableRandom random = new SplittableRandom(1);
    for (int retry = 1; retry <= 10; retry++) {
      long ceiling = Math.min(2_000, 100L << (retry - 1));
      for (int i = 0; i < 200; i++) {
        assertThat(backoff.delay(retry, Optional.empty(), random).toMillis())
            .isBetween(0L, ceiling);
      }
    }
  }

  @Test
  void neverWaitsLessThanRetryAfter() {
    SplittableRandom random = new SplittableRandom(2);
    assertThat(backoff.delay(1, Optional.of(Duration.ofSeconds(5)), random))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.delay(5, Optional.of(Duration.ofMillis(1)), random))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1));
  }

  @Test
  void isDeterministicForASeed() {
    assertThat(backoff.delay(3, Optional.empty(), new SplittableRandom(9)))
        .isEqualTo(backoff.delay(3, Optional.empty(), new SplittableRandom(9)));
  }

  @Test
  void aRetryAfterPastTheLimitIsTooLongToWaitFor() {
    assertThat(backoff.tooLong(Optional.of(Duration.ofSeconds(6)))).isTrue();
    assertThat(backoff.tooLong(Optional.of(Duration.ofSeconds(5)))).isFalse();
    assertThat(backoff.tooLong(Optional.empty())).isFalse();
  }
}
