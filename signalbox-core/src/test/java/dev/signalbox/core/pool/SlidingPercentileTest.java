package dev.signalbox.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The percentile kept sorted as samples come, against sorting the window afresh each time. */
class SlidingPercentileTest {
  @Test
  void isNaNBeforeTheFirstSample() {
    assertThat(new SlidingPercentile(0.95, 8).value()).isNaN();
  }

  @Test
  void equalsTheNearestRankOfTheLatestWindowAfterEverySample() {
    SplittableRandom random = new SplittableRandom(7);
    for (int window : new int[] {1, 2, 5, 128}) {
      SlidingPercentile p95 = new SlidingPercentile(0.95, window);
      double[] samples = new double[2_000];
      for (int i = 0; i < samples.length; i++) {
        // Few distinct values, so that equal samples leave and arrive; and some spread.
        samples[i] = i % 3 == 0 ? random.nextInt(5) : random.nextDouble() * 1_000;
        p95.add(samples[i]);
        double[] last = Arrays.copyOfRange(samples, Math.max(0, i + 1 - window), i + 1);
        Arrays.sort(last);
        assertThat(p95.value())
            .as("window %d after %d samples", window, i + 1)
            .isEqualTo(last[(int) Math.ceil(0.95 * last.length) - 1]);
      }
    }
  }
}
