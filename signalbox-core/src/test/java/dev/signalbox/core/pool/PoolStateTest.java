package dev.signalbox.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.DeploymentState;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live state of a deployment: load at assignment, latency, errors, and its breaker's
 * transitions.
 */
@Timeout(30)
class PoolStateTest {
  private final ManualClock clock = new ManualClock();
  private final PoolState pool = new PoolState(clock);
  private final DeploymentSpec deployment =
      TestConfigs.read(
              """
              deployments:
                - name: d
                  provider: sim
                  breaker: {consecutive-failures: 3, error-rate: 0.5, min-requests: 10, window: 10s, cooldown: 5s, half-open-probes: 2}
              models:
                - {name: m, deployments: [d]}
              """)
          .deployment("d");

  private DeploymentState state() {
    return pool.snapshot().state("d");
  }

  @Test
  void anAssignmentCountsAtOnceWithItsTokensQueued() {
    PoolState.Lease first = pool.start(deployment, 100, 500, false);
    PoolState.Lease second = pool.start(deployment, 40, 500, false);
    assertThat(state().inFlight()).isEqualTo(2);
    assertThat(state().queuedPromptTokens()).isEqualTo(140);
    assertThat(state().queuedOutputTokens()).isEqualTo(1_000);
    first.succeeded(200);
    first.succeeded(200); // a second end of the same attempt changes nothing
    assertThat(state().inFlight()).isEqualTo(1);
    assertThat(state().queuedPromptTokens()).isEqualTo(40);
    second.abandoned();
    assertThat(state())
        .extracting(DeploymentState::inFlight, DeploymentState::queuedOutputTokens)
        .containsExactly(0L, 0L);
    // Once answers were seen, the prediction is their mean length, capped by the request's maximum.
    pool.start(deployment, 10, 500, false);
    assertThat(state().queuedOutputTokens()).isEqualTo(200);
  }

  @Test
  void measuresTimeToFirstTokenAndTimePerToken() {
    for (int i = 0; i < 20; i++) {
      PoolState.Lease lease = pool.start(deployment, 10, 100, false);
      clock.advance(Duration.ofMillis(i >= 18 ? 1_000 : 100));
      lease.firstToken();
      clock.advance(Duration.ofMillis(99 * 5));
      lease.succeeded(100);
    }
    DeploymentState s = state();
    assertThat(s.millisPerToken()).isEqualTo(5.0);
    assertThat(s.ttftMillis()).isEqualTo(424.0); // 100, then 280 and 424 after the two slow ones
    assertThat(s.p95TtftMillis()).isEqualTo(1_000.0);
    assertThat(s.errorRate()).isZero();
  }

  @Test
  void opensOnConsecutiveFailuresThenProbesAndCloses() {
    for (int i = 0; i < 3; i++) {
      assertThat(pool.admit(deployment)).isEqualTo(Admission.ADMITTED);
      pool.start(deployment, 1, 1, false).failed(false);
    }
    assertThat(state().breaker()).isEqualTo(DeploymentState.OPEN);
    assertThat(pool.admit(deployment)).isEqualTo(Admission.REJECTED);
    clock.advance(Duration.ofSeconds(5));
    assertThat(state().breaker()).isEqualTo(DeploymentState.HALF_OPEN);
    assertThat(pool.admit(deployment)).isEqualTo(Admission.PROBE);
    assertThat(pool.admit(deployment)).isEqualTo(Admission.PROBE);
    assertThat(pool.admit(deployment)).as("two probes at most").isEqualTo(Admission.REJECTED);
    pool.start(deployment, 1, 1, true).failed(false);
    assertThat(state().breaker())
        .as("a failed probe opens it again")
        .isEqualTo(DeploymentState.OPEN);
    clock.advance(Duration.ofSeconds(5));
    assertThat(pool.admit(deployment)).isEqualTo(Admission.PROBE);
    pool.start(deployment, 1, 1, true).succeeded(1);
    assertThat(state().breaker()).isEqualTo(DeploymentState.CLOSED);
    assertThat(state().consecutiveFailures()).isZero();
  }

  @Test
  void opensOnTheErrorRateOnceThereAreEnoughRequestsAndIgnoresRateLimits() {
    for (int i = 0; i < 9; i++) {
      pool.start(deployment, 1, 1, false).failed(true); // 429s: counted, never tripping
    }
    assertThat(state().rateLimited()).isEqualTo(9);
    assertThat(state().breaker()).isEqualTo(DeploymentState.CLOSED);
    for (int i = 0; i < 10; i++) {
      PoolState.Lease lease = pool.start(deployment, 1, 1, false);
      if (i % 2 == 1) {
        lease.failed(false);
      } else {
        lease.succeeded(1);
      }
      assertThat(state().breaker())
          .as("after %d requests", i + 1)
          .isEqualTo(i < 9 ? DeploymentState.CLOSED : DeploymentState.OPEN);
    }
    assertThat(state().errorRate()).isEqualTo(0.5);
    clock.advance(Duration.ofSeconds(11));
    assertThat(state().errorRate()).as("outcomes leave the window").isZero();
  }

  @Test
  void breakerTransitionsStayLegalUnderSeededRandomTraffic() {
    Set<String> legal =
        Set.of("closed>open", "open>half-open", "half-open>closed", "half-open>open");
    for (long seed = 0; seed < 20; seed++) {
      ManualClock time = new ManualClock();
      PoolState random = new PoolState(time);
      SplittableRandom r = new SplittableRandom(seed);
      List<PoolState.Lease> open = new ArrayList<>();
      List<Boolean> probes = new ArrayList<>();
      String last = DeploymentState.CLOSED;
      long started = 0;
      long ended = 0;
      for (int step = 0; step < 5_000; step++) {
        int action = r.nextInt(10);
        if (action < 4) {
          var admission = random.admit(deployment);
          if (admission != Admission.REJECTED) {
            boolean probe = admission == Admission.PROBE;
            open.add(random.start(deployment, r.nextInt(100), r.nextInt(100), probe));
            probes.add(probe);
            started++;
          }
        } else if (action < 8 && !open.isEmpty()) {
          int i = r.nextInt(open.size());
          PoolState.Lease lease = open.remove(i);
          probes.remove(i);
          switch (r.nextInt(4)) {
            case 0 -> lease.succeeded(r.nextInt(50));
            case 1 -> lease.abandoned();
            default -> lease.failed(r.nextInt(5) == 0);
          }
          ended++;
        } else {
          time.advance(Duration.ofMillis(r.nextInt(3_000)));
        }
        DeploymentState s = random.snapshot().state("d");
        if (!s.breaker().equals(last)) {
          assertThat(legal).as("seed %d step %d", seed, step).contains(last + ">" + s.breaker());
          last = s.breaker();
        }
        assertThat(s.inFlight())
            .as("seed %d step %d", seed, step)
            .isEqualTo(started - ended)
            .isGreaterThanOrEqualTo(0);
        long probing = probes.stream().filter(p -> p).count();
        if (s.breaker().equals(DeploymentState.HALF_OPEN)) {
          assertThat(probing)
              .as("probes in flight, seed %d step %d", seed, step)
              .isLessThanOrEqualTo(2);
        }
      }
    }
  }

  @Test
  void everyBreakerTransitionReachesTheListenerWithItsCause() {
    List<BreakerListener.Transition> seen = new ArrayList<>();
    PoolState told = new PoolState(clock, seen::add);
    for (int i = 0; i < 3; i++) {
      told.start(deployment, 1, 1, false).failed(false);
    }
    assertThat(told.admit(deployment)).isEqualTo(Admission.REJECTED);
    clock.advance(Duration.ofSeconds(5));
    assertThat(told.admit(deployment)).isEqualTo(Admission.PROBE);
    told.start(deployment, 1, 1, true).succeeded(10);
    assertThat(seen)
        .extracting(t -> t.from().label() + " -> " + t.to().label() + ": " + t.cause())
        .containsExactly(
            "closed -> open: 3 failures in a row",
            "open -> half-open: cooldown of 5000 ms passed",
            "half-open -> closed: a probe succeeded");
    assertThat(seen).allSatisfy(t -> assertThat(t.deployment()).isEqualTo("d"));
    assertThat(seen.get(0).to()).isInstanceOf(BreakerState.Open.class);
  }
}
