package dev.signalbox.api;

import java.time.Duration;
import java.time.Instant;

/** Wall time, monotonic time and sleeping, injected so tests and replay run on a manual clock. */
public interface TimeSource {
  Instant now();

  long nanoTime();

  void sleep(Duration duration) throws InterruptedException;

  /** The machine's clocks. */
  TimeSource SYSTEM =
      new TimeSource() {
        @Override
        public Instant now() {
          return Instant.now();
        }

        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
          if (!duration.isNegative() && !duration.isZero()) {
            Thread.sleep(duration);
          }
        }
      };
}
