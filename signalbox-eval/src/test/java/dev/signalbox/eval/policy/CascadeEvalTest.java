package dev.signalbox.eval.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.signalbox.eval.EvalFixtures;
import dev.signalbox.eval.EvalReport;
import dev.signalbox.eval.Evaluator;
import dev.signalbox.eval.PolicyEvaluation;
import dev.signalbox.eval.Split;
import dev.signalbox.eval.data.DataException;
import dev.signalbox.eval.data.Dataset;
import dev.signalbox.eval.data.OutcomesReader;
import dev.signalbox.eval.data.PriceList;
import dev.signalbox.eval.metrics.CurvePoint;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cascade routes walked over recorded answers, on five test prompts whose figures are worked by
 * hand: weak W costs 1 and strong S 10 a call. "verified" serves W's answer when it ends in a "####
 * n" line (p1, p3) and escalates the rest; "voted" asks W three times (its response and two
 * samples) and serves it when two agree (p1, p3, p4).
 */
@Timeout(30)
class CascadeEvalTest {
  private static Dataset data;
  private static EvalReport report;

  @BeforeAll
  static void evaluate() throws URISyntaxException {
    Path dir =
        Path.of(CascadeEvalTest.class.getResource("/cascade/outcomes.jsonl").toURI()).getParent();
    data =
        new OutcomesReader()
            .read(dir.resolve("outcomes.jsonl"))
            .priced(PriceList.NONE, EvalFixtures.tokens());
    List<OfflinePolicy> policies =
        RouteFile.load(dir.resolve("policies.yaml"), data, PriceList.NONE, EvalFixtures.policies())
            .stream()
            .filter(p -> !p.name().equals("over-sampled"))
            .toList();
    report = run(policies);
  }

  private static EvalReport run(List<OfflinePolicy> policies) {
    return new Evaluator(data, EvalFixtures.context(data, 7), Split.parse("test"), 200)
        .run(policies, (p, f) -> {});
  }

  private static PolicyEvaluation policy(String name) {
    return report.policies().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aCascadeServesTheWeakAnswerThatPassesAndPaysForBothCallsOfAnEscalation() {
    PolicyEvaluation verified = policy("verified");
    // Served W, S, W, S, S: qualities 1, 1, 0, 0, 1; costs 1, 11, 1, 11, 11.
    assertThat(verified.quality()).isCloseTo(0.6, within(1e-12));
    assertThat(verified.costUsd()).isCloseTo(35, within(1e-12));
    assertThat(verified.shares().get("S")).isCloseTo(0.6, within(1e-12));
  }

  @Test
  void itsKnobIsHowStrictItIsFromNoChecksToEscalatingEverything() {
    List<CurvePoint> knob =
        policy("verified").points().subList(1, policy("verified").points().size());
    assertThat(knob)
        .extracting(CurvePoint::label)
        .containsExactly("no checks", "checks: regex", "escalate every answer");
    assertThat(knob).extracting(CurvePoint::strongShare).containsExactly(0.0, 0.6, 1.0);
    assertThat(knob.stream().mapToDouble(CurvePoint::quality).toArray())
        .containsExactly(new double[] {0.4, 0.6, 0.8}, within(1e-12));
    assertThat(knob.stream().mapToDouble(CurvePoint::cost).toArray())
        .containsExactly(new double[] {1.0, 7.0, 11.0}, within(1e-12));
    // Area (0,.4)-(.6,.6)-(1,.8) = .58; APGR = (.58 - .4) / (.8 - .4).
    assertThat(policy("verified").apgr()).isCloseTo(0.45, within(1e-9));
  }

  @Test
  void anAgreementCheckReadsTheRecordedSamplesAndChargesEachOne() {
    PolicyEvaluation voted = policy("voted");
    // Served W, S, W, W, S: qualities 1, 1, 0, 1, 1; costs 3, 13, 3, 3, 13.
    assertThat(voted.quality()).isCloseTo(0.8, within(1e-12));
    assertThat(voted.costUsd()).isCloseTo(35, within(1e-12));
  }

  @Test
  void aRuleThatHandsAPromptToACascadeIsChargedAsTheCascade() {
    PolicyEvaluation byRule = policy("by-rule");
    // p1 ("two plus two") goes to the cascade, which serves W at 1; the rest go to S at 10 each.
    assertThat(byRule.costUsd()).isCloseTo(41, within(1e-12));
    assertThat(byRule.quality()).isCloseTo(0.8, within(1e-12));
  }

  @Test
  void moreSamplesThanTheDataRecordsIsAClearError() throws URISyntaxException {
    Path dir =
        Path.of(CascadeEvalTest.class.getResource("/cascade/policies.yaml").toURI()).getParent();
    List<OfflinePolicy> overSampled =
        RouteFile.load(dir.resolve("policies.yaml"), data, PriceList.NONE, EvalFixtures.policies())
            .stream()
            .filter(p -> p.name().equals("over-sampled"))
            .toList();
    assertThatThrownBy(() -> run(overSampled))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(
            "a cascade checks 5 recorded answers of 'W' (its response, then its samples); this"
                + " prompt has 3");
  }
}
