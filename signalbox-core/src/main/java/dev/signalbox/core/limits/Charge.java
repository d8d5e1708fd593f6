package dev.signalbox.core.limits;

import java.math.BigDecimal;

/**
 * What one request counts against a scope, besides being a request: its tokens (prompt and output)
 * and its cost in micro-dollars (integers, so that sums are exact).
 */
public record Charge(long tokens, long microUsd) {
  public static final Charge NONE = new Charge(0, 0);

  public Charge {
    if (tokens < 0 || microUsd < 0) {
      throw new IllegalArgumentException("a charge is never negative");
    }
  }

  public static long micros(double usd) {
    return Math.round(usd * 1_000_000);
  }

  /** Micro-dollars as dollars with six decimals ({@code 0.001250}), without a formatter. */
  public static String dollars(long micros) {
    return BigDecimal.valueOf(micros, 6).toPlainString();
  }
}
