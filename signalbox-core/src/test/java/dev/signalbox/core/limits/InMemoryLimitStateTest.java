package dev.signalbox.core.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signalbox.api.ErrorKind;
import dev.signalbox.core.config.BudgetPeriod;
import dev.signalbox.core.config.BudgetSpec;
import dev.signalbox.core.config.BudgetWindow;
import dev.signalbox.core.config.LimitSpec;
import dev.signalbox.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InMemoryLimitStateTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-02T10:00:00Z"));
  private final InMemoryLimitState state = new InMemoryLimitState(Duration.ofMinutes(10));
  private final Scope key = new Scope(Scope.Kind.KEY, "ci");
  private final Scope team = new Scope(Scope.Kind.TEAM, "platform");

  private static LimitSpec rpm(int rpm) {
    return new LimitSpec(
        OptionalInt.of(rpm),
        OptionalLong.empty(),
        OptionalInt.empty(),
        Optional.empty(),
        Optional.empty());
  }

  private static LimitSpec tpm(long tpm) {
    return new LimitSpec(
        OptionalInt.empty(),
        OptionalLong.of(tpm),
        OptionalInt.empty(),
        Optional.empty(),
        Optional.empty());
  }

  private static LimitSpec budget(double usd) {
    return new LimitSpec(
        OptionalInt.empty(),
        OptionalLong.empty(),
        OptionalInt.empty(),
        Optional.of(new BudgetSpec(usd, BudgetPeriod.DAILY, BudgetWindow.CALENDAR, 0.5)),
        Optional.empty());
  }

  private static LimitSpec rollingDay(double usd) {
    return new LimitSpec(
        OptionalInt.empty(),
        OptionalLong.empty(),
        OptionalInt.empty(),
        Optional.of(new BudgetSpec(usd, BudgetPeriod.DAILY, BudgetWindow.ROLLING, 0.5)),
        Optional.empty());
  }

  private void spend(String id, List<Scope.Bound> bounds, long micros) {
    reserve(id, bounds, new Charge(0, micros));
    state.settle(id, new Charge(0, micros), clock.now());
  }

  @Test
  void aRollingBudgetCountsTheLast24HoursAndFreesSpendAsItAges() {
    List<Scope.Bound> bounds = List.of(key.bound(rollingDay(1.00)));
    spend("a", bounds, 600_000); // 10:00
    clock.advance(Duration.ofHours(12));
    spend("b", bounds, 400_000); // 22:00
    assertThatThrownBy(() -> reserve("c", bounds, new Charge(0, 100_000)))
        .isInstanceOfSatisfying(
            LimitRefusal.class,
            refusal -> {
              assertThat(refusal.code()).contains("budget_exceeded");
              assertThat(refusal.getMessage()).contains("limit $1.000000 rolling 24h");
              assertThat(refusal.retryAfter())
                  .as("the 10:00 spend leaves when its hour's slice is a day old: 11:00 tomorrow")
                  .contains(Duration.ofHours(13));
            });
    assertThat(state.usage(key.bound(rollingDay(1.00)), clock.now()).budgetResets())
        .contains(Instant.parse("2026-12-03T11:00:00Z"));

    clock.advance(Duration.ofHours(12)); // 10:00 the next day: 10:00's slice is still counted
    assertThat(state.usage(key.bound(rollingDay(1.00)), clock.now()).spentMicros())
        .isEqualTo(1_000_000);
    clock.advance(Duration.ofHours(1)); // 11:00: it left; 22:00's stays
    assertThat(state.usage(key.bound(rollingDay(1.00)), clock.now()).spentMicros())
        .isEqualTo(400_000);
    reserve("c", bounds, new Charge(0, 600_000));
    clock.advance(Duration.ofDays(3));
    assertThat(state.usage(key.bound(rollingDay(1.00)), clock.now()).spentMicros())
        .as("days later nothing is counted, however far the window moved at once")
        .isZero();
  }

  @Test
  void aRollingBudgetsSoftAlertFiresAgainOnceSpendFellUnderItsThreshold() {
    List<Scope.Bound> bounds = List.of(key.bound(rollingDay(1.00)));
    reserve("a", bounds, new Charge(0, 600_000));
    assertThat(settled("a", new Charge(0, 600_000), clock.now())).hasSize(1);
    spend("b", bounds, 100_000);
    clock.advance(Duration.ofHours(25));
    reserve("c", bounds, new Charge(0, 500_000));
    assertThat(settled("c", new Charge(0, 500_000), clock.now()))
        .as("the first alert's spend left the window: crossing again alerts again")
        .hasSize(1);
  }

  private static LimitSpec concurrent(int n) {
    return new LimitSpec(
        OptionalInt.empty(),
        OptionalLong.empty(),
        OptionalInt.of(n),
        Optional.empty(),
        Optional.empty());
  }

  private List<BudgetAlert> settled(String id, Charge used, Instant now) {
    return state.settle(id, used, now).toCompletableFuture().join();
  }

  private LimitState.Admitted reserve(String id, List<Scope.Bound> bounds, Charge charge) {
    return state.reserve(id, bounds, charge, clock.now());
  }

  @Test
  void aMinutesRequestsMayComeAtOnceThenTheRateHolds() {
    List<Scope.Bound> bounds = List.of(key.bound(rpm(60)));
    for (int i = 0; i < 60; i++) {
      reserve("r" + i, bounds, Charge.NONE);
    }
    assertThatThrownBy(() -> reserve("r60", bounds, Charge.NONE))
        .isInstanceOfSatisfying(
            LimitRefusal.class,
            refusal -> {
              assertThat(refusal.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
              assertThat(refusal.scope()).isEqualTo(key);
              assertThat(refusal.getMessage())
                  .contains("key:ci", "requests per minute", "limit 60 requests per minute");
              assertThat(refusal.retryAfter()).contains(Duration.ofSeconds(1));
              assertThat(refusal.headers()).containsEntry("x-ratelimit-remaining-requests", "0");
            });
    clock.advance(Duration.ofSeconds(1));
    LimitState.Admitted next = reserve("r61", bounds, Charge.NONE);
    assertThat(next.headers()).containsEntry("x-ratelimit-limit-requests", "60");
  }

  @Test
  void aRaisedLimitAppliesAtOnceAndWhatWasUsedStillCounts() {
    reserve("a", List.of(key.bound(rpm(2))), Charge.NONE);
    reserve("b", List.of(key.bound(rpm(2))), Charge.NONE);
    assertThatThrownBy(() -> reserve("c", List.of(key.bound(rpm(2))), Charge.NONE))
        .isInstanceOf(LimitRefusal.class);
    for (int i = 0; i < 8; i++) {
      reserve("d" + i, List.of(key.bound(rpm(10))), Charge.NONE);
    }
    assertThatThrownBy(() -> reserve("e", List.of(key.bound(rpm(10))), Charge.NONE))
        .as("2 of 10 were used under the old limit")
        .isInstanceOf(LimitRefusal.class);
  }

  @Test
  void tokensAreReservedAtTheirMaximumAndSettledToWhatWasUsed() {
    List<Scope.Bound> bounds = List.of(key.bound(tpm(1_000)));
    reserve("a", bounds, new Charge(900, 0));
    assertThatThrownBy(() -> reserve("b", bounds, new Charge(200, 0)))
        .isInstanceOfSatisfying(
            LimitRefusal.class,
            refusal -> assertThat(refusal.code()).contains("tokens_limit_exceeded"));
    state.settle("a", new Charge(100, 0), clock.now());
    reserve("b", bounds, new Charge(200, 0));
  }

  @Test
  void aBudgetRefusesWhatCouldOverspendItAndResetsWithItsPeriod() {
    List<Scope.Bound> bounds = List.of(key.bound(budget(1.00)));
    reserve("a", bounds, new Charge(0, 600_000));
    assertThatThrownBy(() -> reserve("b", bounds, new Charge(0, 600_000)))
        .isInstanceOfSatisfying(
            LimitRefusal.class,
            refusal -> {
              assertThat(refusal.kind()).isEqualTo(ErrorKind.BUDGET_EXHAUSTED);
              assertThat(refusal.getMessage())
                  .contains("$1.000000 daily", "$0.600000 reserved", "$0.400000 left");
              assertThat(refusal.retryAfter()).contains(Duration.ofHours(14));
            });
    // Settled at its real cost, the first leaves room for the second.
    assertThat(settled("a", new Charge(0, 200_000), clock.now())).isEmpty();
    assertThat(settled("a", new Charge(0, 200_000), clock.now())).as("idempotent").isEmpty();
    reserve("b", bounds, new Charge(0, 600_000));
    assertThat(settled("b", new Charge(0, 400_000), clock.now()))
        .as("past the soft threshold of half")
        .containsExactly(new BudgetAlert(key, 0.6, 1.00, Instant.parse("2026-12-03T00:00:00Z")));
    ScopeUsage usage = state.usage(key.bound(budget(1.00)), clock.now());
    assertThat(usage.spentMicros()).isEqualTo(600_000);
    assertThat(usage.budgetResets()).contains(Instant.parse("2026-12-03T00:00:00Z"));
    clock.advance(Duration.ofHours(14));
    assertThat(state.usage(key.bound(budget(1.00)), clock.now()).spentMicros()).isZero();
  }

  @Test
  void aRequestIsReservedOnAllItsScopesOrOnNone() {
    reserve("full", List.of(team.bound(concurrent(1))), Charge.NONE);
    List<Scope.Bound> both = List.of(key.bound(budget(1.00)), team.bound(concurrent(1)));
    assertThatThrownBy(() -> reserve("x", both, new Charge(0, 500_000)))
        .isInstanceOfSatisfying(
            LimitRefusal.class, refusal -> assertThat(refusal.scope()).isEqualTo(team));
    assertThat(state.usage(key.bound(budget(1.00)), clock.now()).reservedMicros()).isZero();
  }

  @Test
  void theHeadersTellEachLimitOfTheScopeWithTheLeastOfItLeft() {
    Scope tenant = new Scope(Scope.Kind.TENANT, "acme");
    Map<String, String> headers =
        state
            .reserve(
                "tight",
                List.of(key.bound(rpm(100)), team.bound(rpm(10)), tenant.bound(budget(2.00))),
                new Charge(5, 250_000),
                clock.now())
            .headers();
    assertThat(headers)
        .containsEntry("x-ratelimit-limit-requests", "10")
        .containsEntry("x-ratelimit-remaining-requests", "9")
        .containsEntry("x-ratelimit-reset-requests", "6s")
        .containsEntry("x-signalbox-budget-limit-usd", "2.000000")
        .containsEntry("x-signalbox-budget-remaining-usd", "1.750000")
        .containsEntry("x-signalbox-budget-reset", "2026-12-03T00:00:00Z")
        .doesNotContainKey("x-ratelimit-limit-tokens");
  }

  @Test
  void aReservationNeverSettledIsFreedWhenItsLeaseEnds() {
    List<Scope.Bound> bounds = List.of(key.bound(concurrent(1)));
    reserve("lost", bounds, Charge.NONE);
    assertThatThrownBy(() -> reserve("next", bounds, Charge.NONE)).isInstanceOf(LimitRefusal.class);
    clock.advance(Duration.ofMinutes(10));
    reserve("next", bounds, Charge.NONE);
  }

  @Test
  void concurrentRequestsNeverOverspendABudget() throws Exception {
    List<Scope.Bound> bounds = List.of(key.bound(budget(1.00)), team.bound(budget(5.00)));
    AtomicInteger admitted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 200; i++) {
        String id = "c" + i;
        done.add(
            threads.submit(
                () -> {
                  start.await();
                  try {
                    state.reserve(id, bounds, new Charge(0, 30_000), clock.now());
                    admitted.incrementAndGet();
                    state.settle(id, new Charge(0, 30_000), clock.now());
                  } catch (LimitRefusal refused) {
                    // over budget
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    }
    // $1.00 at $0.03 each: 33 fit, never 34.
    assertThat(admitted.get()).isEqualTo(33);
    assertThat(state.usage(key.bound(budget(1.00)), clock.now()).spentMicros()).isEqualTo(990_000);
  }
}
