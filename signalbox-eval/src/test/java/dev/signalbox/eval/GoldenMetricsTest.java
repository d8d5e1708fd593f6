package dev.signalbox.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.OutcomesReader;
import dev.signalbox.eval.data.PriceList;
import dev.signalbox.eval.metrics.ThresholdMetrics;
import dev.signalbox.eval.policy.Baselines;
import dev.signalbox.eval.policy.OfflinePolicy;
import dev.signalbox.eval.policy.RouteFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric on a five-prompt test split whose values were computed by hand (the arithmetic is in
 * docs/evaluation.md, "A worked example"): weak W (cost 1) scores 0.4, strong S (cost 10) 0.6, and
 * the score column s is 0.9, 0.7, 0.5, 0.3, 0.1.
 */
class GoldenMetricsTest {
  private static EvalReport report;

  @BeforeAll
  static void evaluate() throws URISyntaxException {
    Path dir =
        Path.of(GoldenMetricsTest.class.getResource("/golden/outcomes.jsonl").toURI()).getParent();
    Dataset data =
        new OutcomesReader()
            .read(dir.resolve("outcomes.jsonl"))
            .priced(PriceList.NONE, EvalFixtures.tokens());
    List<OfflinePolicy> policies =
        new ArrayList<>(
            RouteFile.load(
                dir.resolve("policies.yaml"), data, PriceList.NONE, EvalFixtures.policies()));
    policies.addAll(Baselines.all(data.models()));
    report =
        new Evaluator(data, EvalFixtures.context(data, 7), Split.parse("test"), 1_000)
            .run(policies, (policy, fold) -> {});
  }

  private static PolicyEvaluation policy(String name) {
    return report.policies().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void quantileEdgesInterpolateLinearlyAndKeepTheLastEdgeStrict() {
    double[] edges = ThresholdMetrics.edges(new double[] {0.9, 0.7, 0.5, 0.3, 0.1}, 10);
    assertThat(edges)
        .containsExactly(
            new double[] {0.1, 0.18, 0.26, 0.34, 0.42, 0.5, 0.58, 0.66, 0.74, 0.82, 0.9},
            within(1e-12));
    assertThat(ThresholdMetrics.cutoff(edges, 10)).isGreaterThan(0.9);
    assertThat(ThresholdMetrics.cutoff(edges, 5)).isEqualTo(0.5);
  }

  @Test
  void theScoreRouteSweepsItsThresholdThroughTheGatewayRouter() {
    PolicyEvaluation byScore = policy("by-score");
    assertThat(report.strong()).isEqualTo("S");
    assertThat(report.weak()).isEqualTo("W");
    // Configured threshold 0.5: p1, p2, p3 to S.
    assertThat(byScore.quality()).isCloseTo(0.8, within(1e-12));
    assertThat(byScore.costPerPrompt()).isCloseTo(6.4, within(1e-12));
    assertThat(byScore.costUsd()).isCloseTo(32, within(1e-12));
    assertThat(byScore.shares().get("S")).isCloseTo(0.6, within(1e-12));
    // Shares along the sweep: 1, .8, .8, .6, .6, .6, .4, .4, .2, .2, 0.
    assertThat(byScore.points().subList(1, 12))
        .extracting(p -> Math.round(p.strongShare() * 10) / 10.0)
        .containsExactly(1.0, 0.8, 0.8, 0.6, 0.6, 0.6, 0.4, 0.4, 0.2, 0.2, 0.0);
  }

  @Test
  void apgrAndCptAsRouteLlmComputesThem() {
    PolicyEvaluation byScore = policy("by-score");
    assertThat(byScore.apgr()).isCloseTo(1.3, within(1e-9));
    assertThat(byScore.cpt50()).isCloseTo(0.1, within(1e-9));
    assertThat(byScore.cpt80()).isCloseTo(0.16, within(1e-9));
  }

  @Test
  void aiqAndTheCostToReachTheBestSingleModel() {
    PolicyEvaluation byScore = policy("by-score");
    assertThat(byScore.aiq()).isCloseTo(0.72, within(1e-9));
    assertThat(byScore.costTo95()).isCloseTo(2.53, within(1e-9));
    assertThat(byScore.costTo100()).isCloseTo(2.8, within(1e-9));
    assertThat(policy("only:S").aiq()).isCloseTo(0.5, within(1e-9));
    assertThat(policy("only:W").aiq()).isCloseTo(0.4, within(1e-9));
    assertThat(policy("only:W").costTo95()).isNaN();
    assertThat(policy("weak-first").quality()).isCloseTo(0.4, within(1e-12));
  }

  @Test
  void theOracleTakesTheBestAnswerAndTheCheaperModelOnTies() {
    PolicyEvaluation oracle = policy("oracle");
    assertThat(oracle.quality()).isCloseTo(0.8, within(1e-12));
    assertThat(oracle.costPerPrompt()).isCloseTo(4.6, within(1e-12));
  }

  @Test
  void theBootstrapIntervalHoldsTheMeanAndRepeatsForTheSameSeed() {
    PolicyEvaluation byScore = policy("by-score");
    assertThat(byScore.qualityLow()).isLessThanOrEqualTo(0.8).isGreaterThanOrEqualTo(0.2);
    assertThat(byScore.qualityHigh()).isGreaterThanOrEqualTo(0.8).isLessThanOrEqualTo(1.0);
    assertThat(
            dev.signalbox.eval.metrics.Bootstrap.interval(new double[] {0, 1, 1, 0, 1}, 1_000, 7))
        .containsExactly(
            dev.signalbox.eval.metrics.Bootstrap.interval(new double[] {0, 1, 1, 0, 1}, 1_000, 7));
    assertThat(dev.signalbox.eval.metrics.Bootstrap.percentile(new double[] {1, 2, 3, 4}, 50))
        .isEqualTo(2.5);
  }

  @Test
  void randomAtMatchedCostIsReadOffTheRandomMixLine() {
    PolicyEvaluation random = policy("random");
    assertThat(random.points().subList(1, random.points().size()).get(0).quality())
        .isCloseTo(0.4, within(1e-12));
    assertThat(random.points().get(random.points().size() - 1).quality())
        .isCloseTo(0.6, within(1e-12));
    assertThat(policy("only:W").randomAtCost()).isCloseTo(0.4, within(1e-12));
    assertThat(policy("only:S").randomAtCost()).isCloseTo(0.6, within(1e-12));
  }
}
