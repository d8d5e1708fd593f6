package dev.signalbox.core.config;

/**
 * How a budget's period runs: by the calendar (a day, week or month in UTC, spend starting again at
 * zero when the next begins) or rolling (what was spent in the last 24 hours, 7 days or 30 days,
 * counted in 24 slices of the window: a spend leaves the budget between one window and one window
 * plus a slice after it was made).
 */
public enum BudgetWindow {
  CALENDAR,
  ROLLING
}
