package dev.signalbox.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecimalsTest {
  @Test
  void writesWhatTheFormatterWrites() {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 100_000; i++) {
      double value =
          switch (i % 5) {
            case 0 -> random.nextDouble();
            case 1 -> random.nextDouble() * 1e-3;
            case 2 -> random.nextInt(10_000) / 1e4 + 0.00005;
            case 3 -> random.nextDouble() * 1e-6; // a small request's cost in dollars
            default -> random.nextDouble() * 1_000;
          };
      for (int places : new int[] {4, 6, 8}) {
        assertThat(Decimals.fixed(value, places))
            .as("%s", value)
            .isEqualTo(String.format(Locale.ROOT, "%." + places + "f", value));
      }
    }
  }
}
