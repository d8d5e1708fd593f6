package dev.signalbox.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutcomeWindowTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void countsWhatHappenedWithinTheWindowAndForgetsWhatIsOlder() {
    OutcomeWindow window = new OutcomeWindow(Duration.ofSeconds(30));
    long start = -7 * SECOND; // monotonic clocks may be negative
    for (int i = 0; i < 10; i++) {
      window.add(start + i * SECOND, i % 2 == 0, false);
    }
    assertThat(window.counted(start + 9 * SECOND)).isEqualTo(10);
    assertThat(window.errorRate(start + 9 * SECOND)).isEqualTo(0.5);
    // 35 s after the start the first 5 s (outcomes 0 to 5, at whole seconds) have left the window.
    assertThat(window.counted(start + 35 * SECOND + 1)).isEqualTo(4);
    assertThat(window.errorRate(start + 35 * SECOND + 1)).isEqualTo(0.5);
    assertThat(window.counted(start + 100 * SECOND)).isZero();
    assertThat(window.errorRate(start + 100 * SECOND)).isZero();
  }

  @Test
  void rateLimitedAttemptsAreCountedApartFromTheErrorRate() {
    OutcomeWindow window = new OutcomeWindow(Duration.ofSeconds(10));
    window.add(0, false, false);
    window.add(1, true, true);
    window.add(2, true, true);
    assertThat(window.counted(3)).isEqualTo(1);
    assertThat(window.errorRate(3)).isZero();
    assertThat(window.rateLimited(3)).isEqualTo(2);
  }

  @Test
  void aBucketReusedAfterAFullTurnStartsEmpty() {
    OutcomeWindow window = new OutcomeWindow(Duration.ofSeconds(30));
    window.add(0, true, false);
    // The same bucket index one whole window later, with no read in between to evict it.
    window.add(30 * SECOND, false, false);
    assertThat(window.counted(30 * SECOND)).isEqualTo(1);
    assertThat(window.errorRate(30 * SECOND)).isZero();
  }

  @Test
  void clearingEmptiesIt() {
    OutcomeWindow window = new OutcomeWindow(Duration.ofSeconds(30));
    window.add(0, true, false);
    window.add(0, true, true);
    window.clear();
    assertThat(window.counted(0)).isZero();
    assertThat(window.rateLimited(0)).isZero();
  }
}
