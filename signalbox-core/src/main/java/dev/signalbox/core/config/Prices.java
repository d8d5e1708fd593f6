package dev.signalbox.core.config;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A model's prices in USD per million tokens, as a config writes them.
 *
 * @param cachedInput the price of prompt tokens the provider served from its cache; the input price
 *     when absent
 * @param longContext the prices of requests with long prompts, where the provider charges more
 */
public record Prices(
    @Default("0") @Range(min = 0, max = 1e6) double input,
    @Range(min = 0, max = 1e6) OptionalDouble cachedInput,
    @Default("0") @Range(min = 0, max = 1e6) double output,
    Optional<LongContextPrices> longContext) {

  public dev.signalbox.api.Pricing prices() {
    return new dev.signalbox.api.Pricing(
        input,
        cachedInput.orElse(input),
        output,
        longContext.map(
            tier ->
                new dev.signalbox.api.Pricing.LongContext(
                    tier.above(),
                    new dev.signalbox.api.Pricing(
                        tier.input(), tier.cachedInput().orElse(tier.input()), tier.output()))));
  }
}
