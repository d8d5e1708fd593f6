package dev.signalbox.core.upstream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Interrupts the calling thread when a deadline passes before {@link #end()}: the way to break a
 * wait for response headers, which the HTTP client ({@link LoopHttpClient}) does not bound. The
 * interrupted wait closes its connection; {@link #end()} tells whether the deadline fired and
 * clears the interrupt it caused, so that it is never mistaken for a cancellation.
 */
final class InterruptingDeadline {
  private static final int WAITING = 0;
  private static final int FIRING = 1;
  private static final int FIRED = 2;
  private static final int ENDED = 3;

  private final Thread thread = Thread.currentThread();
  private final AtomicInteger state = new AtomicInteger(WAITING);
  private final Watchdog.Armed armed;

  private InterruptingDeadline(Duration after) {
    armed =
        Watchdog.arm(
            after,
            () -> {
              if (state.compareAndSet(WAITING, FIRING)) {
                thread.interrupt();
                state.set(FIRED);
              }
            });
  }

  static InterruptingDeadline arm(Duration after) {
    return new InterruptingDeadline(after);
  }

  /**
   * Stops the deadline; true when it had fired, in which case the thread's interrupt is cleared.
   */
  boolean end() {
    armed.disarm();
    if (state.compareAndSet(WAITING, ENDED) || state.get() == ENDED) {
      return false;
    }
    while (state.get() == FIRING) {
      Thread.onSpinWait();
    }
    Thread.interrupted();
    return true;
  }
}
