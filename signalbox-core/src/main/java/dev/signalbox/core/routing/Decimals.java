package dev.signalbox.core.routing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Fixed-point text for the reasons policies give, without a Formatter on the decision path. */
final class Decimals {
  private Decimals() {}

  /**
   * The same text as {@code String.format(Locale.ROOT, "%.<places>f", value)} for finite values.
   */
  static String fixed(double value, int places) {
    if (!Double.isFinite(value)) {
      return Double.toString(value);
    }
    return BigDecimal.valueOf(value).setScale(places, RoundingMode.HALF_UP).toPlainString();
  }
}
