package dev.signalbox.eval.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * IPS, SNIPS and DR on a fixture with known rewards: three models, a uniformly random logging
 * policy, rewards drawn from known success rates, and a target policy whose true value is 0.75
 * exactly.
 */
class OffPolicyEstimatorTest {
  private static final List<String> MODELS = List.of("a", "b", "c");
  private static final Function<LoggedDecision, String> TARGET =
      d -> d.features()[0] > 0.5 ? "a" : "b";
  private static final double TRUE_VALUE = 0.75;

  /** Success rate of each model: a is good on high x0, b on low x0, c middling. */
  private static double rate(double[] x, String model) {
    return switch (model) {
      case "a" -> x[0];
      case "b" -> 1 - x[0];
      default -> 0.25 + 0.5 * x[1];
    };
  }

  private static List<LoggedDecision> uniformLog(long seed, int n) {
    SplittableRandom random = new SplittableRandom(seed);
    List<LoggedDecision> log = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] x = {random.nextDouble(), random.nextDouble()};
      String action = MODELS.get(random.nextInt(MODELS.size()));
      double reward = random.nextDouble() < rate(x, action) ? 1 : 0;
      log.add(
          new LoggedDecision(
              x, action, 1.0 / 3, Map.of("a", 1.0 / 3, "b", 1.0 / 3, "c", 1.0 / 3), reward));
    }
    return log;
  }

  @Test
  void eachIntervalHoldsTheTrueValueInAtLeast90PercentOf50Seeds() {
    int ips = 0;
    int snips = 0;
    int dr = 0;
    for (long seed = 1; seed <= 50; seed++) {
      OffPolicyEstimator.Result result =
          new OffPolicyEstimator(15, 2, seed).estimate(uniformLog(seed, 600), TARGET);
      ips += covers(result.ips()) ? 1 : 0;
      snips += covers(result.snips()) ? 1 : 0;
      dr += covers(result.doublyRobust()) ? 1 : 0;
      assertThat(result.effectiveSampleSize()).isBetween(150.0, 250.0);
      assertThat(result.matched()).isBetween(150, 250);
    }
    assertThat(ips).as("IPS coverage of 50").isGreaterThanOrEqualTo(45);
    assertThat(snips).as("SNIPS coverage of 50").isGreaterThanOrEqualTo(45);
    assertThat(dr).as("DR coverage of 50").isGreaterThanOrEqualTo(45);
  }

  private static boolean covers(OffPolicyEstimator.Estimate estimate) {
    return estimate.low() <= TRUE_VALUE && TRUE_VALUE <= estimate.high();
  }

  @Test
  void theDoublyRobustIntervalIsNarrowerThanIpsWithAGoodRewardModel() {
    OffPolicyEstimator.Result result =
        new OffPolicyEstimator(15, 2, 9).estimate(uniformLog(9, 2_000), TARGET);
    double ipsWidth = result.ips().high() - result.ips().low();
    double drWidth = result.doublyRobust().high() - result.doublyRobust().low();
    assertThat(drWidth).isLessThan(ipsWidth);
  }

  @Test
  void aChoiceTheLoggingPolicyCouldNotMakeIsRefused() {
    List<LoggedDecision> deterministic =
        List.of(new LoggedDecision(new double[] {0.9, 0}, "b", 1.0, Map.of(), 1));
    assertThatThrownBy(() -> new OffPolicyEstimator(5, 2, 1).estimate(deterministic, TARGET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("could not have chosen (probability 0)");
  }
}
