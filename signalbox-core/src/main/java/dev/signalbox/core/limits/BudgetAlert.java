package dev.signalbox.core.limits;

import java.time.Instant;

/**
 * A scope's spend crossed its budget's soft threshold this period (once per period).
 *
 * @param resetsAt when the period ends and the spend starts again from zero
 */
public record BudgetAlert(Scope scope, double spentUsd, double budgetUsd, Instant resetsAt) {}
