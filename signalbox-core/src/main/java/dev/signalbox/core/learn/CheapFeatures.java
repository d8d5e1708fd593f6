package dev.signalbox.core.learn;

import dev.signalbox.api.Signals;

/**
 * The cheap signals learned policies read beside the embedding, each scaled to about [0, 1]: the
 * prompt's size (log tokens / 10), its user turns (up to 10, / 10), whether it carries tools and
 * whether it carries images.
 */
public final class CheapFeatures {
  public static final int SIZE = 4;

  private CheapFeatures() {}

  public static double[] of(Signals signals) {
    return new double[] {
      Math.log1p((double) signals.promptTokens()) / 10,
      Math.min(signals.turns(), 10) / 10.0,
      signals.hasTools() ? 1 : 0,
      signals.hasImages() ? 1 : 0
    };
  }
}
