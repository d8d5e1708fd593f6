package dev.signalbox.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Prices in USD per million tokens; with a long-context tier, a request whose prompt is longer than
 * the tier's threshold pays the tier's prices for all its tokens (as Anthropic and Google charge).
 */
public record Pricing(
    double inputPerMillion,
    double cachedInputPerMillion,
    double outputPerMillion,
    Optional<LongContext> longContext) {
  public static final Pricing FREE = new Pricing(0, 0, 0);

  /** The prices of requests whose prompt has more than {@code promptTokensAbove} tokens. */
  public record LongContext(long promptTokensAbove, Pricing prices) {
    public LongContext {
      if (promptTokensAbove < 1) {
        throw new IllegalArgumentException("a long-context threshold is a positive token count");
      }
      Objects.requireNonNull(prices, "prices");
    }
  }

  public Pricing(double inputPerMillion, double cachedInputPerMillion, double outputPerMillion) {
    this(inputPerMillion, cachedInputPerMillion, outputPerMillion, Optional.empty());
  }

  public Pricing {
    if (inputPerMillion < 0 || cachedInputPerMillion < 0 || outputPerMillion < 0) {
      throw new IllegalArgumentException("prices must not be negative");
    }
    Objects.requireNonNull(longContext, "longContext");
  }

  /** The prices a request with this many prompt tokens pays. */
  public Pricing forPrompt(long promptTokens) {
    return longContext
        .filter(tier -> promptTokens > tier.promptTokensAbove())
        .map(LongContext::prices)
        .orElse(this);
  }

  /**
   * The cost in USD of a completion with this usage; cached prompt tokens are charged at their own
   * price.
   */
  public double cost(Usage usage) {
    Pricing tier = forPrompt(usage.promptTokens());
    if (tier != this) {
      return tier.cost(usage);
    }
    long uncached = Math.max(0, usage.promptTokens() - usage.cachedPromptTokens());
    return (uncached * inputPerMillion
            + usage.cachedPromptTokens() * cachedInputPerMillion
            + usage.completionTokens() * outputPerMillion)
        / 1_000_000.0;
  }

  /** The cost in USD of a request estimated from its prompt tokens and its maximum output. */
  public double estimate(long promptTokens, long outputTokens) {
    Pricing tier = forPrompt(promptTokens);
    if (tier != this) {
      return tier.estimate(promptTokens, outputTokens);
    }
    return (promptTokens * inputPerMillion + outputTokens * outputPerMillion) / 1_000_000.0;
  }
}
