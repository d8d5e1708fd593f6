package dev.signalbox.core.config;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A USD budget per period: spend is reserved before a request goes out (its worst case: the prompt
 * and its maximum output at the dearest price its plan may use) and settled to its real cost when
 * it ends.
 *
 * <p>Spend is counted in slices: a calendar budget has one, its period; a rolling one cuts its
 * window in {@link #ROLLING_SLICES} slices, aligned on the epoch, and counts the current slice and
 * the {@link #ROLLING_SLICES} before it, so that a spend is counted for at least the whole window
 * (and at most a slice longer). A slice is named by its end.
 *
 * @param window calendar (the default) or rolling
 * @param soft the share of the budget at which an alert fires, each time spend crosses it
 */
public record BudgetSpec(
    @Range(min = 0, max = 1e12) double usd,
    @Default("monthly") BudgetPeriod period,
    @Default("calendar") BudgetWindow window,
    @Default("0.8") @Range(min = 0, max = 1) double soft) {
  /** The slices a rolling window is cut in. */
  public static final int ROLLING_SLICES = 24;

  public boolean rolling() {
    return window == BudgetWindow.ROLLING;
  }

  /** How many slices the budget counts: 1 for a calendar period, the current one and a window's. */
  public int slices() {
    return rolling() ? ROLLING_SLICES + 1 : 1;
  }

  /** A rolling budget's slice length (its window over {@link #ROLLING_SLICES}). */
  public Duration sliceLength() {
    return period.rollingLength().dividedBy(ROLLING_SLICES);
  }

  /**
   * The end of the slice holding {@code now}: the calendar period's end, or the next multiple of
   * the slice length since the epoch. Spend counted now may first leave the budget then.
   */
  public Instant sliceEnd(Instant now) {
    if (!rolling()) {
      return period.end(now);
    }
    long length = sliceLength().toMillis();
    return Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), length) * length + length);
  }

  /** When the slice ending at {@code end} began. */
  public Instant sliceStart(Instant end) {
    return rolling() ? end.minus(sliceLength()) : period.start(end.minusNanos(1));
  }

  /** How long a slice's spend must be kept after it ends, for the budget to count it. */
  public Duration keptAfterSliceEnd() {
    return rolling() ? period.rollingLength() : Duration.ZERO;
  }

  /** The period as a refusal names it: {@code daily}, {@code rolling 24h}. */
  public String describe() {
    if (!rolling()) {
      return period.name().toLowerCase(Locale.ROOT);
    }
    Duration length = period.rollingLength();
    return "rolling " + (length.toHours() <= 24 ? length.toHours() + "h" : length.toDays() + "d");
  }
}
