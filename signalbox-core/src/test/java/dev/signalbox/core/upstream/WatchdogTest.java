package dev.signalbox.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WatchdogTest {
  @Test
  void firesNoSoonerThanItsDeadline() throws InterruptedException {
    CountDownLatch fired = new CountDownLatch(1);
    AtomicLong firedAt = new AtomicLong();
    long armedAt = System.nanoTime();
    Watchdog.arm(
        Duration.ofMillis(80),
        () -> {
          firedAt.set(System.nanoTime());
          fired.countDown();
        });
    assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(Duration.ofNanos(firedAt.get() - armedAt))
        .isGreaterThanOrEqualTo(Duration.ofMillis(80));
  }

  @Test
  void aDisarmedDeadlineNeverFires() throws InterruptedException {
    AtomicBoolean disarmedRan = new AtomicBoolean();
    Watchdog.Armed disarmed = Watchdog.arm(Duration.ofMillis(30), () -> disarmedRan.set(true));
    disarmed.disarm();
    // A later deadline on the same wheel: by the time it fires, the earlier one's time has passed.
    CountDownLatch later = new CountDownLatch(1);
    Watchdog.arm(Duration.ofMillis(30).plus(Watchdog.TICK.multipliedBy(3)), later::countDown);
    assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(disarmedRan).isFalse();
  }
}
