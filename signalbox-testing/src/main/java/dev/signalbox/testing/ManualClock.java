package dev.signalbox.testing;

import dev.signalbox.api.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to, or when code under test sleeps (which returns at once). */
public final class ManualClock implements TimeSource {
  private final Instant origin;
  private final AtomicLong nanos = new AtomicLong();

  public ManualClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public ManualClock(Instant origin) {
    this.origin = origin;
  }

  @Override
  public Instant now() {
    return origin.plusNanos(nanos.get());
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    advance(duration);
  }

  public void advance(Duration duration) {
    if (!duration.isNegative()) {
      nanos.addAndGet(duration.toNanos());
    }
  }

  /** Time passed since the clock was made. */
  public Duration elapsed() {
    return Duration.ofNanos(nanos.get());
  }
}
