package dev.signalbox.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.DeploymentState;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.DeploymentSpec;
import dev.signalbox.core.config.GatewayConfig;
import dev.signalbox.core.config.ModelSpec.SelectorKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Each selector's first choice from the pool snapshot, and the order's healthy-first, session-first
 * finish.
 */
class DeploymentSelectorTest {
  private final GatewayConfig config =
      TestConfigs.read(
          """
          deployments:
            - {name: a, provider: sim}
            - {name: b, provider: sim}
            - {name: c, provider: sim}
          models:
            - {name: m, deployments: [a, b, c]}
          """);
  private final List<DeploymentSpec> deployments =
      List.of(config.deployment("a"), config.deployment("b"), config.deployment("c"));
  private static final DeploymentSelector.Request REQUEST =
      new DeploymentSelector.Request(500, 200);

  private static DeploymentState state(
      long inFlight, long queuedOutput, double ttft, double p95, double perToken, String breaker) {
    return new DeploymentState(inFlight, 0, queuedOutput, 0, 0, 0, ttft, p95, perToken, breaker, 0);
  }

  private static List<String> names(List<DeploymentSpec> order) {
    return order.stream().map(DeploymentSpec::name).toList();
  }

  @Test
  void roundRobinTakesTheOneAssignedLeastSoFar() {
    PoolSnapshot pool =
        new PoolSnapshot(
            Map.of(
                "a",
                    new DeploymentState(
                        0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, "closed", 3),
                "b",
                    new DeploymentState(
                        0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, "closed", 1),
                "c",
                    new DeploymentState(
                        0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, "closed", 2)));
    assertThat(
            names(
                DeploymentSelector.of(SelectorKind.ROUND_ROBIN)
                    .order(deployments, pool, 1, REQUEST)))
        .containsExactly("b", "c", "a");
    assertThat(
            names(
                DeploymentSelector.of(SelectorKind.ROUND_ROBIN)
                    .order(deployments, PoolSnapshot.EMPTY, 1, REQUEST)))
        .as("ties in listed order")
        .containsExactly("a", "b", "c");
  }

  @Test
  void leastOutstandingTakesTheFewestUnderWayAndSharesTies() {
    PoolSnapshot pool =
        new PoolSnapshot(
            Map.of(
                "a",
                DeploymentState.of(3, 0),
                "b",
                DeploymentState.of(1, 0),
                "c",
                DeploymentState.of(2, 0)));
    assertThat(
            names(
                DeploymentSelector.of(SelectorKind.LEAST_OUTSTANDING)
                    .order(deployments, pool, 1, REQUEST)))
        .containsExactly("b", "c", "a");
    Map<String, Long> firsts = new HashMap<>();
    for (long seed = 0; seed < 3_000; seed++) {
      firsts.merge(
          DeploymentSelector.of(SelectorKind.LEAST_OUTSTANDING)
              .order(deployments, PoolSnapshot.EMPTY, seed, REQUEST)
              .get(0)
              .name(),
          1L,
          Long::sum);
    }
    assertThat(firsts.values())
        .as("idle equals share the first place")
        .allSatisfy(n -> assertThat(n).isBetween(850L, 1_150L));
  }

  @Test
  void powerOfTwoPrefersTheLowerPeakLatencyOfTheTwoDrawn() {
    // a is fast on average but spiked (p95 900 ms): its peak counts, so b wins every draw that
    // includes it.
    PoolSnapshot pool =
        new PoolSnapshot(
            Map.of(
                "a",
                state(0, 0, 50, 900, 1, "closed"),
                "b",
                state(0, 0, 100, 120, 1, "closed"),
                "c",
                state(2, 0, 100, 120, 1, "closed")));
    Map<String, Long> firsts = new HashMap<>();
    for (long seed = 0; seed < 3_000; seed++) {
      firsts.merge(
          DeploymentSelector.of(SelectorKind.P2C_PEAK_EWMA)
              .order(deployments, pool, seed, REQUEST)
              .get(0)
              .name(),
          1L,
          Long::sum);
    }
    // Pairs {a,b} and {b,c} go to b; {a,c}: a costs 900, c costs 120 x 3 = 360, so c.
    assertThat(firsts.keySet()).containsExactlyInAnyOrder("b", "c");
    assertThat(firsts.get("b")).isBetween(1_850L, 2_150L);
  }

  @Test
  void lowestLatencyWeighsTheQueueAndTheRequestsOwnLength() {
    PoolSnapshot pool =
        new PoolSnapshot(
            Map.of(
                "a",
                    state(
                        4, 2_000, 100, 150, 10,
                        "closed"), // 2,000 tokens queued at 10 ms: 20 s before this request
                "b", state(0, 0, 400, 500, 20, "closed"), // idle but slow: 400 + 200 x 20 = 4.4 s
                "c", state(1, 100, 200, 250, 12, "closed"))); // 1.2 s queue + 200 + 2.4 s = 3.8 s
    assertThat(
            names(
                DeploymentSelector.of(SelectorKind.LOWEST_LATENCY)
                    .order(deployments, pool, 1, REQUEST)))
        .containsExactly("c", "b", "a");
    assertThat(DeploymentSelector.predictedMillis(pool.state("c"), REQUEST, pool))
        .isEqualTo(100 * 12 + 200 + 200 * 12.0);
    // Not yet measured: the pool's mean speeds stand in.
    PoolSnapshot partly = new PoolSnapshot(Map.of("a", state(0, 0, 100, 100, 10, "closed")));
    assertThat(DeploymentSelector.predictedMillis(partly.state("b"), REQUEST, partly))
        .isEqualTo(100 + 200 * 10.0);
  }

  @Test
  void openCircuitsGoLastAndASessionKeepsItsDeploymentWhileItIsHealthy() {
    PoolSnapshot healthy = PoolSnapshot.EMPTY;
    Map<String, Long> homes =
        java.util.stream.IntStream.range(0, 300)
            .mapToObj(i -> "session-" + i)
            .collect(
                Collectors.groupingBy(
                    s ->
                        DeploymentSelector.finish(deployments, healthy, Optional.of(s))
                            .get(0)
                            .name(),
                    Collectors.counting()));
    assertThat(homes.values())
        .as("sessions spread over the deployments")
        .allSatisfy(n -> assertThat(n).isBetween(70L, 130L));

    String session = "session-7";
    String home =
        DeploymentSelector.finish(deployments, healthy, Optional.of(session)).get(0).name();
    List<DeploymentSpec> shuffled =
        List.of(deployments.get(2), deployments.get(0), deployments.get(1));
    assertThat(DeploymentSelector.finish(shuffled, healthy, Optional.of(session)).get(0).name())
        .as("whatever the selector's order")
        .isEqualTo(home);

    PoolSnapshot homeOpen =
        new PoolSnapshot(Map.of(home, state(0, 0, Double.NaN, Double.NaN, Double.NaN, "open")));
    List<String> moved =
        names(DeploymentSelector.finish(deployments, homeOpen, Optional.of(session)));
    assertThat(moved.get(0)).isNotEqualTo(home);
    assertThat(moved.get(2)).as("the open circuit goes last").isEqualTo(home);
    // Another session whose home is healthy does not move.
    String other =
        java.util.stream.IntStream.range(0, 300)
            .mapToObj(i -> "session-" + i)
            .filter(
                s ->
                    !DeploymentSelector.finish(deployments, healthy, Optional.of(s))
                        .get(0)
                        .name()
                        .equals(home))
            .findFirst()
            .orElseThrow();
    assertThat(DeploymentSelector.finish(deployments, homeOpen, Optional.of(other)).get(0).name())
        .isEqualTo(
            DeploymentSelector.finish(deployments, healthy, Optional.of(other)).get(0).name());
  }
}
