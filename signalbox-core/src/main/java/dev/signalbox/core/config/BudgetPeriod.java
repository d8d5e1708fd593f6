package dev.signalbox.core.config;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/**
 * A budget's period: calendar days, weeks (from Monday) or months, in UTC; or, rolling, the last 24
 * hours, 7 days or 30 days.
 */
public enum BudgetPeriod {
  DAILY(Duration.ofDays(1)),
  WEEKLY(Duration.ofDays(7)),
  MONTHLY(Duration.ofDays(30));

  private final Duration rollingLength;

  BudgetPeriod(Duration rollingLength) {
    this.rollingLength = rollingLength;
  }

  /** How far back a rolling budget of this period counts. */
  public Duration rollingLength() {
    return rollingLength;
  }

  /** When the period holding {@code now} began. */
  public Instant start(Instant now) {
    LocalDate day = now.atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate first =
        switch (this) {
          case DAILY -> day;
          case WEEKLY -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
          case MONTHLY -> day.withDayOfMonth(1);
        };
    return first.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** When the period holding {@code now} ends (the next one begins). */
  public Instant end(Instant now) {
    LocalDate first = start(now).atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate next =
        switch (this) {
          case DAILY -> first.plusDays(1);
          case WEEKLY -> first.plusWeeks(1);
          case MONTHLY -> first.plusMonths(1);
        };
    return next.atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
