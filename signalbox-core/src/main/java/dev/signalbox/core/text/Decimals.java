package dev.signalbox.core.text;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Fixed-point text for the reasons policies give, without a Formatter on the decision path. */
public final class Decimals {
  private Decimals() {}

  /**
   * The same text as {@code String.format(Locale.ROOT, "%.<places>f", value)} for finite values.
   */
  public static String fixed(double value, int places) {
    if (!Double.isFinite(value)) {
      return Double.toString(value);
    }
    return BigDecimal.valueOf(value).setScale(places, RoundingMode.HALF_UP).toPlainString();
  }
}
