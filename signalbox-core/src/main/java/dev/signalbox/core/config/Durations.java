package dev.signalbox.core.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as a config writes them: {@code 250ms}, {@code 2s}, {@code 1.5m}, {@code 1h}. Every
 * duration of a config lies between a millisecond and thirty days: a shorter one rounds to nothing
 * (a timeout that fires at once), a longer one is a typo.
 */
public final class Durations {
  public static final Duration MIN = Duration.ofMillis(1);
  public static final Duration MAX = Duration.ofDays(30);
  private static final Pattern TEXT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private Durations() {}

  /** Reads a duration; fails with the message the config reader reports. */
  public static Duration parse(String text) {
    Matcher m = TEXT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a duration like 250ms, 2s, 1m or 1h, got '" + text + "'");
    }
    double amount = Double.parseDouble(m.group(1));
    double millis =
        switch (m.group(2)) {
          case "ms" -> amount;
          case "s" -> amount * 1_000;
          case "m" -> amount * 60_000;
          default -> amount * 3_600_000;
        };
    if (!(millis >= MIN.toMillis() && millis <= MAX.toMillis())) {
      throw new IllegalArgumentException(
          "must be between 1ms and 30 days (720h), was '" + text + "'");
    }
    return Duration.ofNanos(Math.round(millis * 1_000_000));
  }
}
