package dev.signalbox.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.api.AttemptTrace;
import dev.signalbox.api.CandidateTrace;
import dev.signalbox.api.DecisionTrace;
import dev.signalbox.api.PlanStep;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.Pricing;
import dev.signalbox.api.Usage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DecisionExplanationTest {
  private static final Map<String, Pricing> PRICES =
      Map.of("mid", new Pricing(0.5, 0, 1.5), "frontier", new Pricing(5, 0, 15));

  @Test
  void namesTheChoiceTheClosestAlternativeTheMarginAndTheCostShare() {
    DecisionTrace trace =
        trace(
            List.of(
                new CandidateTrace("mid", "", 0.81, "predicted quality 0.81"),
                new CandidateTrace("frontier", "", 0.84, "predicted quality 0.84"),
                new CandidateTrace("nano", "context window 8000 < 12000 tokens", 0, "")),
            List.of(new AttemptTrace(0, "mid", "mid-east", "ok", 50, 400, true, "")));
    assertThat(DecisionExplanation.of(trace, model -> Optional.ofNullable(PRICES.get(model))))
        .isEqualTo(
            "chose mid (predicted quality 0.81) over frontier: score 0.8100 vs 0.8400, at 10% of"
                + " its cost; excluded: nano (context window 8000 < 12000 tokens)");
  }

  @Test
  void saysWhenThereWasNoAlternativeAndHowManyAttemptsItTook() {
    DecisionTrace trace =
        trace(
            List.of(new CandidateTrace("mid", "", 1, "listed 1 of 1")),
            List.of(
                new AttemptTrace(0, "mid", "mid-east", "503", 5, 10, false, "overloaded"),
                new AttemptTrace(1, "mid", "mid-west", "ok", 50, 400, true, "")));
    assertThat(DecisionExplanation.of(trace, model -> Optional.empty()))
        .isEqualTo(
            "chose mid (listed 1 of 1): the only eligible candidate; served after 2 attempts"
                + " (mid-east 503, mid-west ok)");
  }

  private static DecisionTrace trace(List<CandidateTrace> candidates, List<AttemptTrace> attempts) {
    return new DecisionTrace(
        "req_x",
        Instant.EPOCH,
        "t",
        "auto",
        List.of("auto"),
        "learned",
        1,
        "abc",
        1,
        Map.of(),
        candidates,
        List.of(new PlanStep("mid", "mid-east")),
        1,
        PoolSnapshot.EMPTY,
        attempts,
        new Usage(1000, 0, 200, false),
        0.0008,
        false,
        "ok",
        "",
        List.of(),
        "",
        "");
  }
}
