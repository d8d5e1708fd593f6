package dev.signalbox.core.upstream;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs an action when a deadline passes unless disarmed first. The HTTP client's only timeout is
 * the socket's, per read, so deadlines over a body (the first token, a whole answer) are kept here
 * and broken by closing the response.
 */
public final class Watchdog {
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private Watchdog() {}

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "signalbox-watchdog");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  /** A running deadline. */
  public interface Armed {
    void disarm();
  }

  public static Armed arm(Duration after, Runnable action) {
    ScheduledFuture<?> future = TIMER.schedule(action, after.toNanos(), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }
}
