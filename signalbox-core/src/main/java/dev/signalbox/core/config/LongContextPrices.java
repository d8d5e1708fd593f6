package dev.signalbox.core.config;

import java.util.OptionalDouble;

/**
 * A model's prices for long prompts, in USD per million tokens: a request whose prompt has more
 * than {@code above} tokens pays these for all its tokens.
 *
 * @param cachedInput the long-context price of cached prompt tokens; its input price when absent
 */
public record LongContextPrices(
    @Range(min = 1, max = 100_000_000) long above,
    @Default("0") @Range(min = 0, max = 1e6) double input,
    @Range(min = 0, max = 1e6) OptionalDouble cachedInput,
    @Default("0") @Range(min = 0, max = 1e6) double output) {}
