package dev.signalbox.core.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.signalbox.api.Candidate;
import dev.signalbox.api.PolicyInput;
import dev.signalbox.api.PolicyResult;
import dev.signalbox.api.PoolSnapshot;
import dev.signalbox.api.Pricing;
import dev.signalbox.api.ScoredModel;
import dev.signalbox.core.TestConfigs;
import dev.signalbox.core.config.RuleSpec;
import dev.signalbox.core.routing.RequestSignals;
import dev.signalbox.core.routing.Requests;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class PoliciesTest {
  private static final Candidate CHEAP =
      new Candidate("cheap", new Pricing(0.1, 0.1, 0.4), 8_000, 0);
  private static final Candidate MID = new Candidate("mid", new Pricing(1, 1, 2), 8_000, 0);
  private static final Candidate DEAR = new Candidate("dear", new Pricing(10, 10, 30), 8_000, 0);
  private static final Candidate INPUT_HEAVY =
      new Candidate("input-heavy", new Pricing(5, 5, 0.1), 8_000, 0);

  private static PolicyInput input(String text, long seed, Candidate... candidates) {
    return new PolicyInput(
        Requests.signals(Requests.user("r", text)), List.of(candidates), PoolSnapshot.EMPTY, seed);
  }

  private static List<String> order(PolicyResult result) {
    return ((PolicyResult.Ranked) result).order().stream().map(ScoredModel::model).toList();
  }

  @Test
  void priorityKeepsTheListedOrder() {
    PolicyResult result = new PriorityPolicy().decide(input("hi", 1, DEAR, CHEAP, MID));
    assertThat(order(result)).containsExactly("dear", "cheap", "mid");
    assertThat(((PolicyResult.Ranked) result).propensity()).isEqualTo(1.0);
  }

  @Test
  void cheapestOrdersByThisRequestsEstimatedCost() {
    // 1,000 output tokens assumed: output price dominates, so input-heavy (0.1/M out) is cheapest.
    PolicyResult result =
        new CheapestPolicy().decide(input("hi", 1, DEAR, MID, INPUT_HEAVY, CHEAP));
    assertThat(order(result)).containsExactly("input-heavy", "cheap", "mid", "dear");
    ScoredModel first = ((PolicyResult.Ranked) result).order().get(0);
    long prompt = TestConfigs.tokens().countPrompt(Requests.user("r", "hi").messages(), List.of());
    assertThat(first.score()).isCloseTo((prompt * 5 + 1_000 * 0.1) / 1e6, within(1e-12));
    assertThat(first.reason()).contains("+1000 tokens");
  }

  @Test
  void cheapestBreaksTiesByListedOrder() {
    Candidate twin = new Candidate("twin", CHEAP.pricing(), 8_000, 0);
    assertThat(order(new CheapestPolicy().decide(input("hi", 1, twin, CHEAP))))
        .containsExactly("twin", "cheap");
    assertThat(order(new CheapestPolicy().decide(input("hi", 1, CHEAP, twin))))
        .containsExactly("cheap", "twin");
  }

  @Test
  void weightedIsSeededAndItsPropensityIsTheWeightShare() {
    WeightedPolicy policy = new WeightedPolicy(Map.of("cheap", 3.0, "mid", 1.0));
    PolicyResult once = policy.decide(input("hi", 42, CHEAP, MID));
    assertThat(order(policy.decide(input("hi", 42, CHEAP, MID)))).isEqualTo(order(once));
    PolicyResult.Ranked ranked = (PolicyResult.Ranked) once;
    assertThat(ranked.propensity())
        .isEqualTo(ranked.order().get(0).model().equals("cheap") ? 0.75 : 0.25);
  }

  @Test
  void weightedSplitsTrafficInProportionWithinTolerance() {
    WeightedPolicy policy = new WeightedPolicy(Map.of("cheap", 4.0, "mid", 1.0));
    SplittableRandom seeds = new SplittableRandom(7);
    Map<String, Integer> firsts = new HashMap<>();
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      firsts.merge(
          order(policy.decide(input("hi", seeds.nextLong(), CHEAP, MID))).get(0), 1, Integer::sum);
    }
    assertThat(firsts.get("cheap") / (double) n).isCloseTo(0.8, within(0.015));
    assertThat(firsts.get("mid") / (double) n).isCloseTo(0.2, within(0.015));
  }

  @Test
  void weightedGivesEqualSharesWithoutWeights() {
    PolicyResult.Ranked ranked =
        (PolicyResult.Ranked) new WeightedPolicy(Map.of()).decide(input("hi", 3, CHEAP, MID, DEAR));
    assertThat(ranked.propensity()).isCloseTo(1 / 3.0, within(1e-12));
    assertThat(ranked.order()).hasSize(3);
  }

  @Test
  void everyPolicyReturnsExactlyTheCandidatesItWasGivenUnderRandomInputs() {
    SplittableRandom random = new SplittableRandom(2026);
    List<Candidate> all = List.of(CHEAP, MID, DEAR, INPUT_HEAVY);
    for (int i = 0; i < 2_000; i++) {
      List<Candidate> subset = new ArrayList<>();
      for (Candidate c : all) {
        if (random.nextBoolean()) {
          subset.add(c);
        }
      }
      if (subset.isEmpty()) {
        continue;
      }
      Candidate[] given = subset.toArray(Candidate[]::new);
      List<String> names = subset.stream().map(Candidate::model).toList();
      String text = "x".repeat(random.nextInt(1, 400));
      for (var policy :
          List.of(
              new PriorityPolicy(),
              new CheapestPolicy(),
              new WeightedPolicy(Map.of("cheap", 2.0, "dear", 1.0)))) {
        PolicyResult.Ranked ranked =
            (PolicyResult.Ranked) policy.decide(input(text, random.nextLong(), given));
        assertThat(order(ranked)).as(policy.name()).containsExactlyInAnyOrderElementsOf(names);
        assertThat(ranked.propensity()).isBetween(0.0, 1.0).isPositive();
      }
    }
  }

  private static RuleSpec rule(
      List<String> keywords,
      String regex,
      Long min,
      Long max,
      Boolean tools,
      RuleSpec.HeaderMatch header) {
    return new RuleSpec(
        "r",
        keywords,
        Optional.ofNullable(regex).map(Pattern::compile),
        min == null ? OptionalLong.empty() : OptionalLong.of(min),
        max == null ? OptionalLong.empty() : OptionalLong.of(max),
        Optional.ofNullable(tools),
        Optional.empty(),
        Optional.ofNullable(header),
        "target");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          keyword hit, case ignored       | Please REFACTOR this | true
          keyword miss                    | hello there          | false
          """)
  void rulesMatchKeywordsIgnoringCase(String name, String text, boolean matches) {
    RuleSpec r = rule(List.of("refactor"), null, null, null, null, null);
    assertThat(RulesPolicy.matches(r, Requests.signals(Requests.user("m", text))))
        .isEqualTo(matches ? Optional.of("keyword 'refactor'") : Optional.empty());
  }

  @Test
  void rulesCheckEveryConditionTheyName() {
    RequestSignals plain =
        Requests.signals(Requests.user("m", "order 12345 please"), Map.of("x-tier", "Gold"));
    assertThat(RulesPolicy.matches(rule(List.of(), "\\d{5}", null, null, null, null), plain))
        .contains("regex /\\d{5}/");
    assertThat(RulesPolicy.matches(rule(List.of(), null, 100L, null, null, null), plain)).isEmpty();
    assertThat(RulesPolicy.matches(rule(List.of(), null, 1L, 50L, null, null), plain))
        .get()
        .asString()
        .startsWith("prompt ");
    assertThat(RulesPolicy.matches(rule(List.of(), null, null, null, true, null), plain)).isEmpty();
    assertThat(RulesPolicy.matches(rule(List.of(), null, null, null, false, null), plain))
        .contains("no tools");
    assertThat(
            RulesPolicy.matches(
                rule(List.of(), null, null, null, null, new RuleSpec.HeaderMatch("x-tier", "gold")),
                plain))
        .contains("header x-tier=gold");
    assertThat(
            RulesPolicy.matches(
                rule(
                    List.of(),
                    null,
                    null,
                    null,
                    null,
                    new RuleSpec.HeaderMatch("x-tier", "silver")),
                plain))
        .isEmpty();
    assertThat(RulesPolicy.matches(rule(List.of("order"), "\\d{6}", null, null, null, null), plain))
        .as("all conditions must hold")
        .isEmpty();
  }

  @Test
  void aRuleOnACredentialHeaderMatchesButNeverRecordsItsValue() {
    RequestSignals signals =
        Requests.signals(
            Requests.user("m", "hi"),
            Map.of("authorization", "Bearer sk-secret", "x-tier", "gold"));
    var byKey =
        rule(
            List.of(),
            null,
            null,
            null,
            null,
            new RuleSpec.HeaderMatch("authorization", "Bearer sk-secret"));
    assertThat(RulesPolicy.matches(byKey, signals)).contains("header authorization=[redacted]");
    signals.header("x-tier");
    assertThat(signals.read())
        .containsEntry("header:authorization", "[redacted]")
        .containsEntry("header:x-tier", "gold");
    assertThat(signals.read().toString()).doesNotContain("sk-secret");
  }

  @Test
  void rulesDelegateOnTheFirstMatchElseToTheDefault() {
    RulesPolicy policy =
        new RulesPolicy(
            List.of(
                new RuleSpec(
                    "code",
                    List.of("java"),
                    Optional.empty(),
                    OptionalLong.empty(),
                    OptionalLong.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    "coder"),
                new RuleSpec(
                    "any",
                    List.of(),
                    Optional.empty(),
                    OptionalLong.empty(),
                    OptionalLong.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    "general")),
            "fallback");
    assertThat(policy.decide(input("write java", 1, CHEAP)))
        .isEqualTo(new PolicyResult.Delegated("coder", "rule 'code' matched: keyword 'java'"));
    assertThat(policy.decide(input("hello", 1, CHEAP)))
        .isEqualTo(new PolicyResult.Delegated("general", "rule 'any' matched: unconditional"));
    RulesPolicy noRuleMatches =
        new RulesPolicy(
            List.of(
                new RuleSpec(
                    "code",
                    List.of("java"),
                    Optional.empty(),
                    OptionalLong.empty(),
                    OptionalLong.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    "coder")),
            "fallback");
    assertThat(noRuleMatches.decide(input("hello", 1, CHEAP)))
        .isEqualTo(new PolicyResult.Delegated("fallback", "no rule matched; default route"));
  }
}
