package dev.signalbox.core.config;

/**
 * A USD budget per calendar period (UTC): spend is reserved before a request goes out (its worst
 * case: the prompt and its maximum output at the dearest price its plan may use) and settled to its
 * real cost when it ends.
 *
 * @param soft the share of the budget at which an alert fires, once per period
 */
public record BudgetSpec(
    @Range(min = 0, max = 1e12) double usd,
    @Default("monthly") BudgetPeriod period,
    @Default("0.8") @Range(min = 0, max = 1) double soft) {}
