package dev.signalbox.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.eval.metrics.CurvePoint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyEvaluationTest {
  private static PolicyEvaluation with(List<CurvePoint> points) {
    return new PolicyEvaluation(
        "p",
        "policy",
        10,
        0.8,
        0.7,
        0.9,
        1,
        0.1,
        Map.of(),
        Double.NaN,
        points,
        List.of(),
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN);
  }

  @Test
  void aSweepCountsTheSettingsAfterTheConfiguredPointAndTheDistinctPointsTheyGave() {
    PolicyEvaluation swept =
        with(
            List.of(
                new CurvePoint("configured", 0.5, 0.1, 0.8),
                new CurvePoint("t=0.1", 1, 0.2, 0.9),
                new CurvePoint("t=0.2", 1, 0.2, 0.9),
                new CurvePoint("t=0.3", 0.5, 0.1, 0.8),
                new CurvePoint("t=0.4", 0, 0.01, 0.6)));
    assertThat(swept.sweepRequested()).isEqualTo(4);
    assertThat(swept.sweepDistinct()).isEqualTo(3);
    assertThat(with(List.of(new CurvePoint("configured", 0.5, 0.1, 0.8))).sweepRequested())
        .isZero();
  }
}
