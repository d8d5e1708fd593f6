package dev.signalbox.core.upstream;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs an action when a deadline passes unless disarmed first. Every deadline of an upstream call
 * (its response headers, the first token, each chunk, a whole answer) is kept here: the HTTP client
 * ({@link LoopHttpClient}) has no read timeout, and a wait is broken by interrupting the waiting
 * thread ({@link InterruptingDeadline}) or by aborting the response.
 *
 * <p>Every upstream call arms and disarms at least one, so they live on a timer wheel: arming and
 * disarming are a push onto a lock-free queue each, and the wheel's thread wakes once a tick. A
 * scheduled executor took its lock for a heap insert and removal and woke its thread whenever a new
 * deadline became the earliest, which under load was nearly every request (5% of the gateway's CPU
 * in a profile of the closed loop). A deadline fires up to one tick late.
 */
public final class Watchdog {
  static final Duration TICK = Duration.ofMillis(10);

  private static final HashedWheelTimer TIMER =
      new HashedWheelTimer(
          r -> {
            Thread t = new Thread(r, "signalbox-watchdog");
            t.setDaemon(true);
            return t;
          },
          TICK.toMillis(),
          TimeUnit.MILLISECONDS,
          512);

  private Watchdog() {}

  /** A running deadline. */
  public interface Armed {
    void disarm();
  }

  public static Armed arm(Duration after, Runnable action) {
    Timeout timeout = TIMER.newTimeout(t -> action.run(), after.toNanos(), TimeUnit.NANOSECONDS);
    return timeout::cancel;
  }
}
