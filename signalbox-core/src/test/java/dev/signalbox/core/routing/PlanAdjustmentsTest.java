package dev.signalbox.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.DecisionRecord;
import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.core.TestConfigs;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Latency objectives and self-healing fallbacks, decided by the router from a pool snapshot. */
class PlanAdjustmentsTest {
  private final Router router =
      new Router(
          TestConfigs.read(
              TestConfigs.pool(
                  """
                  - name: fast
                    models: [small, medium, large]
                    policy: priority
                    default-max-tokens: 100
                    slo: {max-ttft: 500ms, max-end-to-end: 3s}
                  - name: healing
                    models: [small, medium, large]
                    policy: priority
                    fallback-order: self-healing
                    default-max-tokens: 100
                  """)),
          TestConfigs.policies(),
          TestConfigs.services());

  private static DeploymentState measured(
      double ttft, double p95, double perToken, long queued, double errorRate) {
    return new DeploymentState(0, 0, queued, 0, errorRate, 0, ttft, p95, perToken, "closed", 0);
  }

  private DecisionRecord decide(String route, PoolSnapshot pool) {
    return router.decide(Requests.signals(Requests.user(route, "hi")), 1, pool).record();
  }

  @Test
  void keepsTheDeploymentsThatMeetTheObjectives() {
    PoolSnapshot pool =
        new PoolSnapshot(
            Map.of(
                "small-a", measured(100, 900, 5, 0, 0), // p95 over 500 ms
                "small-b", measured(100, 200, 5, 0, 0), // 100 + 100 x 5 = 600 ms
                "medium-a", measured(200, 300, 10, 500, 0), // 5 s of queue
                "large-a", measured(300, 400, 20, 0, 0))); // 300 + 2,000 = 2.3 s
    DecisionRecord d = decide("fast", pool);
    assertThat(d.plan()).extracting(PlanStep::deployment).containsExactly("small-b", "large-a");
    assertThat(d.signals()).containsEntry("slo", "2 of 4 plan entries meet the objectives");
  }

  @Test
  void relaxesTheEndToEndLimitFirstThenKeepsEverything() {
    PoolSnapshot slowButQuickToStart =
        new PoolSnapshot(
            Map.of(
                "small-a",
                measured(100, 200, 50, 0, 0),
                "small-b",
                measured(100, 200, 50, 0, 0),
                "medium-a",
                measured(900, 900, 50, 0, 0),
                "large-a",
                measured(100, 200, 50, 0, 0)));
    DecisionRecord relaxed = decide("fast", slowButQuickToStart);
    assertThat(relaxed.plan())
        .extracting(PlanStep::deployment)
        .containsExactly("small-a", "small-b", "large-a");
    assertThat(relaxed.signals())
        .containsEntry("slo", "relaxed: none meets max-end-to-end; 3 of 4 meet max-ttft");

    PoolSnapshot allSlow =
        new PoolSnapshot(
            Map.of(
                "small-a",
                measured(900, 900, 1, 0, 0),
                "small-b",
                measured(900, 900, 1, 0, 0),
                "medium-a",
                measured(900, 900, 1, 0, 0),
                "large-a",
                measured(900, 900, 1, 0, 0)));
    DecisionRecord kept = decide("fast", allSlow);
    assertThat(kept.plan()).hasSize(4);
    assertThat(kept.signals())
        .containsEntry("slo", "relaxed: no plan entry meets max-ttft; the whole plan is kept");
  }

  @Test
  void selfHealingReranksTheFallbacksByPriceLatencyAndReliability() {
    assertThat(decide("healing", PoolSnapshot.EMPTY).plan())
        .extracting(PlanStep::deployment)
        .as("with nothing measured: by price")
        .containsExactly("small-a", "small-b", "medium-a", "large-a");
    PoolSnapshot mediumFailing =
        new PoolSnapshot(Map.of("medium-a", measured(100, 100, 1, 0, 0.98)));
    DecisionRecord d = decide("healing", mediumFailing);
    // medium is a tenth of large's price but succeeds 5% of the time (the floor): twice large's
    // score.
    assertThat(d.plan())
        .extracting(PlanStep::deployment)
        .containsExactly("small-a", "small-b", "large-a", "medium-a");
    assertThat(d.signals())
        .containsEntry(
            "fallback_order", "self-healing: small@small-b, large@large-a, medium@medium-a");
  }
}
