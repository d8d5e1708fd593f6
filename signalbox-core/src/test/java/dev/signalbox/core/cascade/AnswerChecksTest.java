package dev.signalbox.core.cascade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.core.config.CascadeSpec;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AnswerChecksTest {
  private static CascadeSpec spec(CascadeSpec.Check... checks) {
    return CascadeSpec.of(3, OptionalDouble.empty(), List.of(checks));
  }

  @Test
  void arithmeticJudgesWrittenOutEquationsAndLeavesTheRestAlone() {
    assertThat(Arithmetic.evaluate("(3 + 4) x 2 - 10 / 4")).hasValue(11.5);
    assertThat(Arithmetic.evaluate("1,200 ÷ 4 × 3")).hasValue(900.0);
    assertThat(Arithmetic.evaluate("3 / 0")).isEmpty();
    assertThat(Arithmetic.evaluate("(3 + 4")).isEmpty();

    assertThat(Arithmetic.check("He runs 3 x 60 = <<3*60=180>>180 m, so 180 * 3 = 540.", 0).wrong())
        .isEmpty();
    // The annotation and the sum after it; "3 x 60 =" before the annotation has no number of its
    // own.
    assertThat(
            Arithmetic.check("He runs 3 x 60 = <<3*60=180>>180 m, so 180 * 3 = 540.", 0).judged())
        .isEqualTo(2);
    assertThat(Arithmetic.check("She pays 16.50 x 3 = $49.50 in all", 0).wrong()).isEmpty();
    // Written to two places, a rounded result holds; one that is off does not.
    assertThat(Arithmetic.check("each gets 10 / 3 = 3.33 cakes", 0).wrong()).isEmpty();
    assertThat(Arithmetic.check("each gets 10 / 3 = 3.5 cakes", 0).wrong())
        .get()
        .satisfies(w -> assertThat(w.equation()).isEqualTo("10 / 3 = 3.5"));
    assertThat(Arithmetic.check("a chain 48 + 21 - 3 = 66 holds; 2 + 2 = 5 does not", 0).wrong())
        .get()
        .satisfies(w -> assertThat(w.value()).isEqualTo(4.0));
    // Percentages, and a right side that goes on, are not judged.
    assertThat(Arithmetic.check("20% of 50 = 10, and 5 + 5 = 10 - 0", 0).judged()).isZero();
  }

  @Test
  void agreementComparesTheAnswersPatternFindsAndPicksTheMajoritysFirst() {
    CascadeSpec.Agreement agreement =
        new CascadeSpec.Agreement(0.6, Optional.of(Pattern.compile("####\\s*(\\S+)")));
    List<StageAnswer> answers =
        List.of(
            StageAnswer.of("#### 7"),
            StageAnswer.of("so #### 12"),
            StageAnswer.of("then ####   12"));
    StageVerdict verdict = AnswerChecks.judge(spec(agreement), answers);
    assertThat(verdict.accepted()).isTrue();
    assertThat(verdict.chosen()).isEqualTo(1);
    assertThat(verdict.findings())
        .containsExactly("agreement: 2 of 3 on '12' (min share 0.6): pass");

    // An answer the pattern finds nothing in agrees with nobody.
    StageVerdict none =
        AnswerChecks.judge(
            spec(agreement),
            List.of(StageAnswer.of("no idea"), StageAnswer.of("dunno"), StageAnswer.of("#### 3")));
    assertThat(none.accepted()).isFalse();
    assertThat(none.findings().get(0)).startsWith("agreement: 1 of 3");

    // Without a pattern the whole text is compared, case and spacing aside.
    CascadeSpec.Agreement whole = new CascadeSpec.Agreement(1.0, Optional.empty());
    assertThat(
            AnswerChecks.judge(
                    spec(whole),
                    List.of(
                        StageAnswer.of("Paris "), StageAnswer.of("paris"), StageAnswer.of("PARIS")))
                .accepted())
        .isTrue();
  }

  @Test
  void everyCheckIsReportedAndAllMustPass() {
    CascadeSpec spec =
        spec(
            new CascadeSpec.Matches(Pattern.compile("^#### \\d+$", Pattern.MULTILINE)),
            new CascadeSpec.Arithmetic(0),
            new CascadeSpec.LogProbs(-1));
    StageVerdict verdict =
        AnswerChecks.judge(
            spec, List.of(new StageAnswer("2 + 2 = 5\n#### 5", Optional.of(List.of(-0.1, -0.3)))));
    assertThat(verdict.accepted()).isFalse();
    assertThat(verdict.findings())
        .containsExactly(
            "regex '^#### \\d+$': pass",
            "arithmetic: '2 + 2 = 5' is 4: fail",
            "logprobs: mean -0.2 (min -1): pass");
  }

  @Test
  void aFencedBlockIsUnwrappedBeforeTheSchemaReadsIt() {
    assertThat(AnswerChecks.unfenced("```json\n{\"a\": 1}\n```")).isEqualTo("{\"a\": 1}\n");
    assertThat(AnswerChecks.unfenced("  {\"a\": 1} ")).isEqualTo("{\"a\": 1}");
  }
}
