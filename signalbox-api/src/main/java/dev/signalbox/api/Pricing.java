package dev.signalbox.api;

/** Prices in USD per million tokens. */
public record Pricing(
    double inputPerMillion, double cachedInputPerMillion, double outputPerMillion) {
  public static final Pricing FREE = new Pricing(0, 0, 0);

  public Pricing {
    if (inputPerMillion < 0 || cachedInputPerMillion < 0 || outputPerMillion < 0) {
      throw new IllegalArgumentException("prices must not be negative");
    }
  }

  /**
   * The cost in USD of a completion with this usage; cached prompt tokens are charged at their own
   * price.
   */
  public double cost(Usage usage) {
    long uncached = Math.max(0, usage.promptTokens() - usage.cachedPromptTokens());
    return (uncached * inputPerMillion
            + usage.cachedPromptTokens() * cachedInputPerMillion
            + usage.completionTokens() * outputPerMillion)
        / 1_000_000.0;
  }

  /** The cost in USD of a request estimated from its prompt tokens and its maximum output. */
  public double estimate(long promptTokens, long outputTokens) {
    return (promptTokens * inputPerMillion + outputTokens * outputPerMillion) / 1_000_000.0;
  }
}
